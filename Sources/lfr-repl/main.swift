// main: the entry point of lfr-repl: parse the command line, pick the mode
// (REPL, script file, stdin, -e CODE), run it and exit with its code
// (0 ok, 1 script error, 2 usage error, 130 Ctrl-C, 143 SIGTERM, n after exit(n)).
import ArgumentParser
import Glibc
import Script
import ScriptLibrary

/// Parses the command line; prints help/version (exit 0) or a usage error (exit 2).
func parseInvocation() -> Invocation {
    do {
        let argv = Array(CommandLine.arguments.dropFirst())
        let options = try CommandLineOptions.quickParse(argv) ?? LfrOptions.parse(argv).plain
        return try options.invocation(stdinIsTerminal: isatty(0) == 1)
    } catch let e as UsageError {
        Output.err("lfr-repl: \(e.description)\nRun 'lfr-repl --help' for the usage.")
        exit(2)
    } catch {
        if LfrOptions.exitCode(for: error) == .success {
            Output.out(LfrOptions.fullMessage(for: error) + "\n")
            exit(0)
        }
        Output.err(LfrOptions.fullMessage(for: error))
        exit(2)
    }
}

/// Creates the interpreter with `args` bound and the ML libraries installed.
func makeHost(_ invocation: Invocation) -> ScriptHost {
    do {
        let host = try ScriptHost(arguments: invocation.scriptArguments)
        // --no-color keeps compare's and plot's curves plain too; a report never has colour.
        if !invocation.colorAllowed || invocation.reportDirectory != nil { host.library.colour = false }
        return host
    } catch {
        Output.err("lfr-repl: cannot start the interpreter:\n\(error)")
        exit(1)
    }
}

/// Starts the interactive prompt on `host` (after running the start-up file).
func runInteractive(_ host: ScriptHost, _ invocation: Invocation, banner: Bool) -> Int32 {
    if let why = ScriptWorld.interactiveRefusal {
        Output.err("lfr-repl: \(why)")
        return 1
    }
    Signals.installInterruptHandler(batch: false)
    host.library.interruptPausesOnly = true
    let repl = Repl(host: host, invocation: invocation)
    runInitFile(repl)
    if let code = repl.exitCode { return code }
    return repl.run(banner: banner)
}

func runMain() -> Int32 {
    let invocation = parseInvocation()
    // Under mpirun: join the job (ranks other than 0 print nothing).
    do { try ScriptWorld.start() } catch {
        Output.err("lfr-repl: \(error)")
        return 1
    }
    switch invocation.mode {
    case .repl:
        return runInteractive(makeHost(invocation), invocation, banner: true)

    case .stdin:
        Signals.installInterruptHandler(batch: true)
        let host = makeHost(invocation)
        let source = readStandardInput()
        if case .failed(let code) = Batch.run(source, file: "<stdin>", host: host, colorAllowed: invocation.colorAllowed) {
            return code
        }
        return 0

    case .file(let path, let interactive):
        Signals.installInterruptHandler(batch: !interactive)
        let host = makeHost(invocation)
        if let directory = invocation.reportDirectory {
            return ReportRun.run(path, directory: directory, host: host, colorAllowed: invocation.colorAllowed)
        }
        let outcome = Batch.runFile(path, host: host, colorAllowed: invocation.colorAllowed)
        if !interactive {
            if case .failed(let code) = outcome { return code }
            return 0
        }
        if case .failed(let code) = outcome, code != 1 && code != 130 && code != 143 { return code }   // exit(n) ends it
        Signals.resetAfterInterrupt()
        return runInteractive(host, invocation, banner: false)

    case .code(let code, let interactive):
        Signals.installInterruptHandler(batch: !interactive)
        let host = makeHost(invocation)
        switch Batch.run(code, file: "<-e>", host: host, colorAllowed: invocation.colorAllowed) {
        case .finished(let value):
            if !value.isNilValue { Output.out(host.display(value) + "\n") }
            if !interactive { return 0 }
        case .failed(let status):
            if !interactive || (status != 1 && status != 130) { return status }
            Signals.resetAfterInterrupt()
        }
        return runInteractive(host, invocation, banner: false)
    }
}

// The interpreter runs on a thread with a large stack (deep recursion in
// lfr code must become an lfr error, never a native stack overflow). Only
// that thread receives SIGINT, SIGTERM and SIGWINCH, so they interrupt its
// poll() at the prompt (and are unblocked there even if the parent process
// started us with them blocked).
var blocked = sigset_t()
sigemptyset(&blocked)
sigaddset(&blocked, SIGINT)
sigaddset(&blocked, SIGTERM)
sigaddset(&blocked, SIGWINCH)
pthread_sigmask(SIG_BLOCK, &blocked, nil)
var status: Int32 = 0
runOnLargeStack {
    pthread_sigmask(SIG_UNBLOCK, &blocked, nil)
    status = runMain()
    fflush(stdout)
}
// Flush and leave without running exit handlers: the OpenBLAS library would
// otherwise wake and join its idle worker threads, which costs milliseconds.
// Under mpirun the job is left properly first (exit handlers do not run).
fflush(nil)
if ScriptWorld.world.size > 1 { ScriptWorld.finish() }
_exit(status)
