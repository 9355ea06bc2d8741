// CommandLineTests: the quick parser of common command lines agrees with
// swift-argument-parser on every line it accepts, and declines the rest.
import Testing
@testable import lfr_repl

@Suite("command line")
struct CommandLineTests {
    static let lines: [[String]] = [
        [], ["x.lfr"], ["x.lfr", "a", "b"], ["x.lfr", "-e", "1"], ["x.lfr", "--steps", "3", "-i"],
        ["-"], ["-", "p"], ["-i", "x.lfr"], ["-i"], ["--no-init"], ["--no-color", "x.lfr", "--no-color"],
        ["-e", "1"], ["-e", "1 + 2", "x", "y"], ["-e", "args", "-", "q"], ["-i", "-e", "1"],
        ["-e", "1", "-i"], ["--no-init", "--no-color", "-i", "-e", "print(1)", "z"],
        ["-e", "1", "-e", "2"], ["-e"], ["-e", "-1"], ["-e", "--help"], ["--help"], ["-h"],
        ["--version"], ["--bogus"], ["-x", "f.lfr"], ["-ie", "1"], ["-i", "-i"], ["--", "x.lfr"],
        ["--no-such-flag", "x.lfr"], ["-i", "-"], ["x.lfr", "--help"], ["--e=1"],
        ["--report", "out", "x.lfr"], ["--report", "out", "x.lfr", "a", "--report", "b"], ["--report", "out"],
        ["--report", "out", "-e", "1"], ["--report", "out", "-i", "x.lfr"], ["--report", "out", "-"],
        ["--report", "a", "--report", "b", "x.lfr"], ["--report"], ["--no-color", "--report", "r", "x.lfr"],
    ]

    enum Outcome: Equatable {
        case invocation(Invocation)
        case usage(String)
        case other
    }

    static func outcome(_ parse: () throws -> CommandLineOptions, terminal: Bool) -> Outcome {
        do {
            return .invocation(try parse().invocation(stdinIsTerminal: terminal))
        } catch let e as UsageError {
            return .usage(e.description)
        } catch {
            return .other
        }
    }

    @Test("the quick parser gives what the full parser gives, or declines", arguments: lines)
    func agreesWithArgumentParser(line: [String]) {
        guard let quick = CommandLineOptions.quickParse(line) else { return }
        // the one deliberate difference: -e takes an option-like value as code
        if let e = line.firstIndex(of: "-e"), e + 1 < line.count, line[e + 1].hasPrefix("-") { return }
        for terminal in [false, true] {
            let fast = Self.outcome({ quick }, terminal: terminal)
            let full = Self.outcome({ try LfrOptions.parse(line).plain }, terminal: terminal)
            #expect(fast == full, "\(line), terminal \(terminal)")
        }
    }

    @Test func declinesWhatOnlyTheFullParserKnows() {
        for line in [["--help"], ["-h"], ["--version"], ["--bogus"], ["-e"],
                     ["-e", "1", "-e", "2"], ["-ie", "1"], ["--", "x.lfr"], ["--e=1"], ["-i", "-i"]] {
            #expect(CommandLineOptions.quickParse(line) == nil, "\(line)")
        }
        #expect(CommandLineOptions.quickParse(["-e", "1", "x.lfr", "--help"]) != nil)
        #expect(CommandLineOptions.quickParse([]) != nil)
    }

    @Test func codeAfterDashEIsTakenVerbatim() throws {
        for code in ["-1", "--help", "-e"] {
            let o = try #require(CommandLineOptions.quickParse(["-e", code, "x"]))
            #expect(o.code == code)
            #expect(try o.invocation(stdinIsTerminal: false) ==
                    Invocation(mode: .code(code, interactive: false), scriptArguments: ["x"], runInit: true, colorAllowed: true))
        }
    }
}
