// BatchTests: lfr-repl without a terminal: exit codes, -e, stdin scripts,
// script arguments, shebang lines, usage errors.
import Foundation
import Testing

@Suite("batch mode")
struct BatchTests {
    @Test("a script that succeeds exits 0 and prints its output")
    func success() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let path = try box.write("ok.lfr", "let x = 20\nfn twice(n) { n * 2 }\nprint(twice(x) + 2)\n")
        let r = try lfr([path], sandbox: box)
        #expect(r.status == 0)
        #expect(r.stdout == "42\n")
        #expect(r.stderr == "")
    }

    @Test("a runtime error exits 1 with location and call stack on stderr")
    func scriptError() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let path = try box.write("bad.lfr", "fn inner() { error(\"boom\") }\nfn outer() { inner() }\nprint(\"before\")\nouter()\n")
        let r = try lfr([path], sandbox: box)
        #expect(r.status == 1)
        #expect(r.stdout == "before\n")
        #expect(r.stderr.contains("bad.lfr:1:"))
        #expect(r.stderr.contains("boom"))
        #expect(r.stderr.contains("inner"))
        #expect(r.stderr.contains("outer"))
        #expect(!r.stderr.contains("\u{1B}["), "no colour when stderr is not a terminal")
    }

    @Test("a syntax error exits 1 and shows the line with a caret")
    func syntaxError() throws {
        let r = try lfr(["-e", "let x = (1 + "])
        #expect(r.status == 1)
        #expect(r.stderr.contains("<-e>:1:"))
        #expect(r.stderr.contains("^"))
    }

    @Test("exit(3) exits 3, and nothing after it runs")
    func exitCode() throws {
        let r = try lfr(["-e", "print(\"a\")\nexit(3)\nprint(\"b\")"])
        #expect(r.status == 3)
        #expect(r.stdout == "a\n")
    }

    @Test("usage errors exit 2 with a message", arguments: [["--bogus"], ["-e"], ["-i", "-"], ["--no-such-flag", "x.lfr"]])
    func usageError(args: [String]) throws {
        let r = try lfr(args)
        #expect(r.status == 2)
        #expect(!r.stderr.isEmpty)
        #expect(r.stdout.isEmpty)
    }

    @Test("OpenBLAS is opened at the first matrix product, not at start-up")
    func blasLoadsLazily() throws {
        let script = """
        let maps = fn() { read_file("/proc/self/maps").contains("libopenblas") }
        print(maps())
        let a = randn([8, 8], seed: 1)
        let b = a @ a
        print(maps())
        """
        let r = try lfr(["-e", script])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "false\ntrue\n")
    }

    @Test("without OpenBLAS, products still work (slowly) after one warning")
    func blasFallback() throws {
        let r = try lfr(["-e", "let a = tensor([[1, 2], [3, 4]])\nprint(a @ a)\nprint((a @ a).sum())"],
                        env: ["LFR_OPENBLAS": "none"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("[15., 22.]"))
        #expect(r.stdout.hasSuffix("54\n"))
        #expect(r.stderr.components(separatedBy: "warning").count == 2, "one warning: \(r.stderr)")
        #expect(r.stderr.contains("OpenBLAS unavailable"))
    }

    @Test("a missing script file is an error (exit 1), not a crash")
    func missingFile() throws {
        let r = try lfr(["/no/such/file.lfr"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("/no/such/file.lfr"))
    }

    @Test("--help shows usage and examples; --version the version")
    func helpAndVersion() throws {
        let help = try lfr(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("EXAMPLES"))
        #expect(help.stdout.contains("-e"))
        let version = try lfr(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.split(separator: ".").count == 3)
    }

    @Test("-e prints the value of the last expression, strings quoted, nil nothing")
    func evaluate() throws {
        #expect(try lfr(["-e", "1 + 2"]).stdout == "3\n")
        #expect(try lfr(["-e", "-1"]).stdout == "-1\n")          // code starting with '-'
        #expect(try lfr(["-e", "-2 * 3", "x"]).stdout == "-6\n")
        #expect(try lfr(["-e", "[1, \"a\"]"]).stdout == "[1, \"a\"]\n")
        #expect(try lfr(["-e", "nil"]).stdout == "")
        #expect(try lfr(["-e", "let x = 5"]).stdout == "")
    }

    @Test("script arguments are in args, even ones that look like options")
    func scriptArguments() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let path = try box.write("args.lfr", "print(len(args))\nfor a in args { print(a) }\n")
        let r = try lfr([path, "one", "--steps", "3", "-e"], sandbox: box)
        #expect(r.status == 0)
        #expect(r.stdout == "4\none\n--steps\n3\n-e\n")
        let e = try lfr(["-e", "args", "x", "y"])
        #expect(e.stdout == "[\"x\", \"y\"]\n")
    }

    @Test("a script on stdin runs without prompts; `-` does the same")
    func stdinScript() throws {
        let piped = try lfr([], stdin: "let a = 2\nprint(a * 21)\n")
        #expect(piped.status == 0)
        #expect(piped.stdout == "42\n")
        let dash = try lfr(["-", "p"], stdin: "print(args[0])\nerror(\"x\")\n")
        #expect(dash.stdout == "p\n")
        #expect(dash.status == 1)
        #expect(dash.stderr.contains("<stdin>:2:"))
    }

    @Test("a #!/usr/bin/env lfr-repl script runs as a command")
    func shebang() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let bin = URL(fileURLWithPath: LfrBinary.path).deletingLastPathComponent().path
        let path = try box.write("tool", "#!/usr/bin/env lfr-repl\nprint(\"hello \\(args[0])\")\n", executable: true)
        // A file just written can be "busy" for a moment: while another test
        // forks a child, the child holds a copy of the write descriptor until
        // it execs. Executing it then fails with ETXTBSY; try again.
        var attempt = 0
        let r: RunResult
        while true {
            do {
                r = try runProcess(path, ["world"], env: box.environment(["PATH": bin + ":/usr/bin:/bin"]))
                break
            } catch let e as NSError where attempt < 50 && isTextFileBusy(e) {
                attempt += 1
                usleep(20_000)
            }
        }
        #expect(r.status == 0)
        #expect(r.stdout == "hello world\n")
    }

    @Test("Ctrl-C (SIGINT) stops a running script at a safe point with exit code 130")
    func interruptedScript() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let path = try box.write("loop.lfr", "var n = 0\nwhile true { n = n + 1 }\n")
        let r = try stopScript(path, box: box, with: SIGINT)
        guard let status = r.status else { Issue.record("the script did not stop after SIGINT"); return }
        #expect(status == 130)
        let message = r.stderr
        #expect(message.contains("interrupted"))
    }
}

/// True for ETXTBSY ("Text file busy"), also when wrapped by Foundation.
func isTextFileBusy(_ e: NSError) -> Bool {
    if e.domain == NSPOSIXErrorDomain && e.code == Int(ETXTBSY) { return true }
    if let inner = e.userInfo[NSUnderlyingErrorKey] as? NSError { return isTextFileBusy(inner) }
    return false
}

/// Starts `lfr-repl path`, waits until it catches SIGINT, sends `signal`; returns exit status and stderr.
func stopScript(_ path: String, box: Sandbox, with signal: Int32) throws -> (status: Int32?, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: LfrBinary.path)
    process.arguments = [path]
    process.environment = box.environment()
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    var caught = false
    for _ in 0..<400 where !caught {
        if let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
           let mask = UInt64(line.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16) {
            caught = mask & (1 << UInt64(signal - 1)) != 0
        }
        if !caught { usleep(50_000) }
    }
    usleep(100_000)
    kill(process.processIdentifier, signal)
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async { process.waitUntilExit(); done.signal() }
    if done.wait(timeout: .now() + 20) == .timedOut {
        kill(process.processIdentifier, SIGKILL)
        return (nil, "")
    }
    return (process.terminationStatus, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
}

@Suite("batch scripts stopped by signals")
struct BatchSignalTests {
    @Test("a process killed by a fatal signal first writes what the script printed into stdout's buffer")
    func fatalSignalFlushesStdout() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let path = try box.write("printer.lfr", "for i in range(100) { print(\"line\", i) }\nwhile true {}\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LfrBinary.path)
        process.arguments = [path]
        process.environment = box.environment()
        let output = Pipe()
        process.standardOutput = output      // a pipe: fully buffered, nothing written yet
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the crash handler is installed and the loop runs.
        var installed = false
        for _ in 0..<400 where !installed {
            if let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
               let mask = UInt64(line.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16) {
                installed = mask & (1 << UInt64(SIGABRT - 1)) != 0
            }
            if !installed { usleep(50_000) }
        }
        usleep(300_000)
        kill(process.processIdentifier, SIGABRT)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { process.waitUntilExit(); done.signal() }
        if done.wait(timeout: .now() + 20) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("lfr-repl did not die of SIGABRT"); return
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // Died of the signal itself (the handler re-raises it), output intact.
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGABRT)
        #expect(text.hasPrefix("line 0\nline 1\n") && text.hasSuffix("line 99\n"), "stdout: \(text.suffix(200))")
    }

    @Test("SIGTERM stops a running script at a safe point with exit code 143 and a message")
    func terminated() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        let path = try box.write("loop.lfr", "var n = 0\nwhile true { n = n + 1 }\n")
        let r = try stopScript(path, box: box, with: SIGTERM)
        #expect(r.status == 143)
        #expect(r.stderr.contains("interrupted at"))
        #expect(r.stderr.contains("SIGTERM"))
    }

    @Test("Ctrl-C in a loop of matrix products stops the script with 130, naming the loop's line")
    func interruptedTensorLoop() throws {
        // needs the VM interrupt fix (lang branch)
        let box = try Sandbox(); defer { box.cleanup() }
        let path = try box.write("mm.lfr", "let big = randn([300, 300])\nvar n = 0\nfor k in range(1000000) {\n  let z = big @ big\n  n += 1\n}\n")
        let r = try stopScript(path, box: box, with: SIGINT)
        #expect(r.status == 130)
        #expect(r.stderr.contains("mm.lfr:4:") || r.stderr.contains("mm.lfr:5:"), "\(r.stderr)")
    }

    @Test("a stack overflow shows the repeated frame once, with its count")
    func foldedStack() throws {
        let r = try lfr(["-e", "fn deep(n) { deep(n + 1) }\ndeep(0)"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("  at deep (<-e>:1) ×9,999"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count < 10)
    }

    @Test("-e shows a list of 5,000 items summarized")
    func summarizedList() throws {
        let r = try lfr(["-e", "var xs = []; for i in range(5000) { xs.push(i) }; xs"])
        #expect(r.stdout == "[0, 1, 2, ... 4,994 more ..., 4997, 4998, 4999]\n")
    }
}
