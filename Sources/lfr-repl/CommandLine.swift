// CommandLine: the options of `lfr-repl` (common lines parsed directly, the
// rest and --help by swift-argument-parser), and the decision of which mode
// to run (REPL, script file, stdin, -e).
// What stays true here: parsing never exits the process itself; every usage
// problem becomes a `UsageError` that main turns into exit code 2, and
// arguments after the script name belong to the script (even `-x` ones).
import ArgumentParser

/// The parsed command line of `lfr-repl`.
struct LfrOptions: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "lfr-repl",
        abstract: "The lfr language: an interactive prompt and a script runner for studying how language models learn from their data.",
        usage: """
            lfr-repl                      start the interactive prompt
            lfr-repl FILE.lfr [ARGS...]   run a script (ARGS are in `args`)
            lfr-repl -e CODE [ARGS...]    evaluate CODE and print its value
            lfr-repl - [ARGS...]          run the script read from stdin
            lfr-repl -i FILE.lfr          run a script, then stay at the prompt
            lfr-repl --report DIR FILE.lfr [ARGS...]
                                          run a script and write DIR/report.md and DIR/report.html
            """,
        discussion: """
            EXAMPLES:
              lfr-repl -e 'let a = [3, 1, 2]; a.sort()'
              lfr-repl train.lfr --steps 100        (args == ["--steps", "100"])
              echo 'print(1 + 1)' | lfr-repl
              #!/usr/bin/env lfr-repl               (first line of an executable script)

            A report shows each group of statements with what it printed, its value,
            its tables and plots, and the script's comments as prose (docs/report.md);
            :report DIR at the prompt writes one for the session so far.

            At the prompt, :help lists the commands (:load, :time, :vars, :type, ...)
            and Tab completes names, members, named arguments and file paths.

            ENVIRONMENT:
              LFR_HISTORY   history file (default ~/.lfr_history)
              LFR_INIT      start-up file run before the first prompt (default ~/.lfr_init.lfr)
              LFR_STDLIB    folder of the lfr standard library
              NO_COLOR      set to turn colours off

            EXIT STATUS:
              0 success, 1 error in the script, 2 bad usage, 130 interrupted by Ctrl-C,
              n after exit(n) in the script.
            """,
        version: LfrOptions.version
    )

    @Option(name: .customShort("e"), help: ArgumentHelp("Evaluate CODE and print its value (nil prints nothing).", valueName: "CODE"))
    var code: String?

    @Flag(name: .customShort("i"), help: "Run the script (or -e CODE), then stay at the interactive prompt.")
    var interactive = false

    @Option(name: .customLong("report"), help: ArgumentHelp("Run the script and write a report of the run to DIR/report.md and DIR/report.html.", valueName: "DIR"))
    var report: String?

    @Flag(name: .customLong("no-init"), help: "Do not run the start-up file (~/.lfr_init.lfr or $LFR_INIT).")
    var noInit = false

    @Flag(name: .customLong("no-color"), help: "Never colour the output.")
    var noColor = false

    @Argument(help: ArgumentHelp("A script to run; - reads the script from stdin.", valueName: "FILE"))
    var file: String?

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("Arguments passed to the script as `args`.", valueName: "ARGS"))
    var scriptArguments: [String] = []
}

/// A problem with the command line (exit code 2).
struct UsageError: Error, CustomStringConvertible {
    var description: String
}

/// What `lfr-repl` was asked to do.
enum RunMode: Equatable {
    /// The interactive prompt.
    case repl
    /// Run a script file; then the prompt if `interactive`.
    case file(path: String, interactive: Bool)
    /// Run the script on standard input (no prompts).
    case stdin
    /// Evaluate a piece of code and print its value; then the prompt if `interactive`.
    case code(String, interactive: Bool)
}

/// The full decision derived from the options.
struct Invocation: Equatable {
    var mode: RunMode
    var scriptArguments: [String]
    var runInit: Bool
    var colorAllowed: Bool
    /// --report DIR: the folder the report of the script's run goes to.
    var reportDirectory: String? = nil
}

/// The options as plain values, from either parser.
struct CommandLineOptions: Equatable {
    var code: String? = nil
    var interactive = false
    var noInit = false
    var noColor = false
    var report: String? = nil
    var file: String? = nil
    var scriptArguments: [String] = []

    /// Decides the run mode; `stdinIsTerminal` decides between REPL and stdin script.
    func invocation(stdinIsTerminal: Bool) throws -> Invocation {
        var args = scriptArguments
        var file = self.file
        // A leading unknown option lands in the pass-through array when no
        // file was given: that is a usage error, not a script argument.
        if file == nil, let first = args.first {
            if first.hasPrefix("-") && first != "-" {
                throw UsageError(description: "unknown option '\(first)'")
            }
            file = first
            args.removeFirst()
        }
        let mode: RunMode
        if let code {
            if let f = file {
                // With -e every positional is a script argument.
                args.insert(f, at: 0)
            }
            mode = .code(code, interactive: interactive)
        } else if let f = file {
            if f == "-" {
                if interactive { throw UsageError(description: "-i cannot be used with a script read from stdin") }
                mode = .stdin
            } else {
                mode = .file(path: f, interactive: interactive)
            }
        } else if stdinIsTerminal {
            mode = .repl
        } else {
            if interactive { throw UsageError(description: "-i needs a terminal on stdin") }
            mode = .stdin
        }
        if let report {
            guard case .file(path: _, interactive: false) = mode else {
                throw UsageError(description: "--report needs a script file and no -i or -e (at the prompt, :report DIR writes a report of the session)")
            }
            guard !report.isEmpty else { throw UsageError(description: "--report needs a folder name") }
        }
        return Invocation(mode: mode, scriptArguments: args, runInit: !noInit, colorAllowed: !noColor,
                          reportDirectory: report)
    }
}

extension LfrOptions {
    /// The parsed options as plain values.
    var plain: CommandLineOptions {
        CommandLineOptions(code: code, interactive: interactive, noInit: noInit, noColor: noColor,
                           report: report, file: file, scriptArguments: scriptArguments)
    }
}

extension CommandLineOptions {
    /// The common command lines (`FILE ARGS...`, `-e CODE ARGS...`, `-i`,
    /// `--no-init`, `--no-color`, `--report DIR`, `-`, nothing) parsed directly, without
    /// swift-argument-parser; nil for anything else (help, version, unknown
    /// or repeated options), which the full parser then handles.
    /// Why: building the full parser (even creating an `LfrOptions` value)
    /// makes the runtime instantiate generic types and look up conformances,
    /// which was more than half of the start-up of `lfr-repl -e '1'`.
    /// A test checks that every line this accepts gives the same invocation
    /// as the full parser, with one difference on purpose: `-e` always takes
    /// the next argument as its code, even `-1`.
    static func quickParse(_ argv: [String]) -> CommandLineOptions? {
        var options = CommandLineOptions()
        var index = 0
        var sawCode = false
        while index < argv.count {
            let arg = argv[index]
            guard arg.hasPrefix("-"), arg != "-" else { break }
            switch arg {
            case "-e":
                guard !sawCode, index + 1 < argv.count else { return nil }
                sawCode = true
                // The next argument is the code, verbatim, even `-1` or
                // `--x` (as with `python3 -c`; the full parser would take
                // those for options).
                options.code = argv[index + 1]
                index += 2
                continue
            case "--report":
                guard options.report == nil, index + 1 < argv.count, !argv[index + 1].hasPrefix("-") else { return nil }
                options.report = argv[index + 1]
                index += 2
                continue
            case "-i": if options.interactive { return nil }; options.interactive = true
            case "--no-init": if options.noInit { return nil }; options.noInit = true
            case "--no-color": if options.noColor { return nil }; options.noColor = true
            default: return nil
            }
            index += 1
        }
        if index < argv.count {
            options.file = argv[index]
            options.scriptArguments = Array(argv[(index + 1)...])
        }
        return options
    }
}
