// PtyDriver: the Python program (run with `python3 -c`) that drives
// lfr-repl through a real pseudo-terminal for the REPL tests. It is kept in
// a Swift string so the test target holds only Swift files.
// Protocol: a JSON spec on stdin, a JSON result on stdout (see the comments
// at the top of the program).

let ptyDriverSource = #"""
#!/usr/bin/env python3
# pty_driver.py: drives a program through a real pseudo-terminal, step by step.
# Used by the end-to-end tests of lfr-repl (Swift runs this as a subprocess).
# Input (JSON on stdin):
#   {"argv": [...], "env": {...}, "cwd": "...", "cols": 100, "steps": [...]}
# Steps:
#   {"send": "text"}                     write text to the terminal (keys; \r is Enter)
#   {"expect": "regex", "timeout": s}    wait until the cleaned output after the last match matches
#   {"interrupt": true}                  write Ctrl-C (the terminal turns it into SIGINT)
#   {"sleep": s}                         wait, reading output
#   {"wait_exit": s}                     wait for the program to exit
#   {"resize": cols}                     set the window width (the kernel sends SIGWINCH)
# Output (JSON on stdout): {"ok": bool, "failed_step": int|null, "reason": str,
#   "output": cleaned transcript, "raw": the bytes as written, "exit": code|null,
#   "elapsed": [seconds per step]}
# The cleaned transcript has ANSI escape sequences and carriage returns removed.
# Every wait has a deadline, so a hanging program fails the test instead of blocking it.
import fcntl, json, os, pty, re, select, signal, struct, sys, termios, time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>]|\r")


def clean(raw):
    return ANSI.sub(b"", raw).decode("utf-8", "replace")


def main():
    spec = json.load(sys.stdin)
    argv, env = spec["argv"], spec.get("env", {})
    pid, fd = pty.fork()
    if pid == 0:
        if spec.get("cwd"):
            os.chdir(spec["cwd"])
        os.execve(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, spec.get("cols", 100), 0, 0))
    raw = b""
    cursor = 0
    exit_code = None
    result = {"ok": True, "failed_step": None, "reason": "", "elapsed": []}

    def pump(timeout):
        """Reads what is available within timeout; False once the terminal is closed."""
        nonlocal raw
        r, _, _ = select.select([fd], [], [], timeout)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            raw += data
        return True

    for i, step in enumerate(spec["steps"]):
        start = time.monotonic()
        if "send" in step:
            os.write(fd, step["send"].encode())
        elif "resize" in step:
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, step["resize"], 0, 0))
        elif step.get("interrupt"):
            os.write(fd, b"\x03")
        elif "sleep" in step:
            end = start + step["sleep"]
            while time.monotonic() < end and pump(max(0, end - time.monotonic())):
                pass
        elif "expect" in step:
            pattern = re.compile(step["expect"], re.S)
            deadline = start + step.get("timeout", 10)
            while True:
                text = clean(raw)
                m = pattern.search(text, cursor)
                if m:
                    cursor = m.end()
                    break
                left = deadline - time.monotonic()
                alive = left > 0 and pump(min(left, 0.05))
                if not alive:
                    why = "timed out" if left <= 0 else "terminal closed"
                    result.update(ok=False, failed_step=i,
                                  reason="%s waiting for %r; output after the last match: %r"
                                  % (why, step["expect"], text[cursor:][-2000:]))
                    break
        elif "wait_exit" in step:
            deadline = start + step["wait_exit"]
            while time.monotonic() < deadline:
                pump(0.05)
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    exit_code = os.waitstatus_to_exitcode(status)
                    break
            if exit_code is None:
                result.update(ok=False, failed_step=i, reason="program did not exit")
        result["elapsed"].append(time.monotonic() - start)
        if not result["ok"]:
            break

    if exit_code is None:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass
    try:
        while select.select([fd], [], [], 0)[0] and pump(0):
            pass
    except OSError:
        pass
    result["output"] = clean(raw)
    result["raw"] = raw.decode("utf-8", "replace")
    result["exit"] = exit_code
    json.dump(result, sys.stdout)


main()
"""#
