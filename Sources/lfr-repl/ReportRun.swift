// ReportRun: `lfr-repl --report DIR script.lfr` (the script run as the
// pieces of its top level, each recorded) and the writing of a report's
// folder (for `:report DIR` too).
// What stays true here: a script runs exactly as without --report (same
// statements in the same order in one interpreter, the same output on
// stdout and stderr, the same exit code): the whole script is compiled
// first, so a syntax error stops it before anything runs, as in a plain
// run; the pieces then run in turn, and top-level names persist between
// them as between the statements of one chunk. The report is written
// whatever the outcome (completed, failed, interrupted, exit(n)).
import Glibc
import Script
import ScriptLibrary

enum ReportRun {
    /// Runs the script at `path` recording it, writes the report into `directory`; returns the exit code.
    static func run(_ path: String, directory: String, host: ScriptHost, colorAllowed: Bool) -> Int32 {
        guard let source = try? readTextFile(path) else {
            Output.err("lfr-repl: cannot read '\(path)': \(String(cString: strerror(errno)))")
            return 1
        }
        host.library.scriptSource = source
        // Under mpirun only rank 0 writes files: the other ranks run plainly.
        guard ScriptWorld.world.isRoot else {
            if case .failed(let code) = Batch.run(source, file: path, host: host, colorAllowed: colorAllowed) { return code }
            return 0
        }
        let record = ReportRecord(title: path, arguments: host.interpreter.arguments)
        record.scriptPath = path
        record.scriptHash = SHA256.hex(of: Array(source.utf8))
        record.attach(to: host)
        let code = runPieces(source, path: path, host: host, record: record, colorAllowed: colorAllowed)
        let started = ProcessClock.seconds()
        do {
            try write(record, to: directory)
            let took = ProcessClock.seconds() - started
            Output.err("lfr-repl: report written to \(directory)/report.html and report.md in \(formatDuration(took)) (the run took \(formatDuration(record.wallSeconds)))")
        } catch {
            Output.err("lfr-repl: cannot write the report: \(error)")
            return code == 0 ? 1 : code
        }
        return code
    }

    /// Runs the pieces in turn, recording each; returns the exit code and sets the record's status.
    static func runPieces(_ source: String, path: String, host: ScriptHost, record: ReportRecord, colorAllowed: Bool) -> Int32 {
        let pieces: [TopLevelPiece]
        do {
            pieces = try TopLevel.pieces(of: source, file: path)
            try host.interpreter.checkCompiles(source, file: path)
        } catch {
            // As in a plain run: nothing runs; the report shows the error.
            record.beginCode(Interpreter.strippingShebang(source), lines: nil)
            let outcome = Batch.failure(error, colorAllowed: colorAllowed, wholeFile: nil)
            if let text = outcome.text { record.add(.error(text)) }
            record.finish(.failed(line: (error as? ScriptError)?.location?.line))
            return outcome.code
        }
        for piece in pieces {
            switch piece.kind {
            case .comment:
                record.addProse(piece.text)
            case .code:
                // Between pieces: a Ctrl-C that came after the last poll of the previous one stops here.
                if Signals.pendingInterrupts.load(ordering: .relaxed) > 0 {
                    let signal = Signals.stopExitCode == 128 + SIGTERM ? "SIGTERM" : "Ctrl-C"
                    let text = "\(path):\(piece.firstLine): interrupted (\(signal)) before this statement ran"
                    Output.err(text)
                    record.add(.error(text))
                    record.finish(.interrupted(signal: signal))
                    return Signals.stopExitCode
                }
                record.beginCode(piece.text, lines: piece.firstLine...piece.lastLine)
                // Padded with empty lines, so line numbers are the script's.
                let padded = String(repeating: "\n", count: piece.firstLine - 1) + piece.text
                var failure: Batch.Failure? = nil
                let outcome = Batch.run(padded, file: path, host: host, colorAllowed: colorAllowed, fullSource: source) { f in
                    failure = f
                    if let text = f.text { record.add(.error(text)) }
                }
                switch outcome {
                case .finished(let value):
                    if !value.isNilValue && !piece.text.trimmingWhitespace.hasSuffix(";") {
                        record.finishRunLine()
                        record.add(.value(host.display(value)))
                    }
                case .failed(let code):
                    switch code {
                    case 1: record.finish(.failed(line: failure?.line))
                    case 130: record.finish(.interrupted(signal: "Ctrl-C"))
                    case 143: record.finish(.interrupted(signal: "SIGTERM"))
                    default: record.finish(.exited(code: code))
                    }
                    return code
                }
            }
        }
        record.finish(.completed)
        return 0
    }

    /// Writes DIR/report.md, DIR/report.html and DIR/plot-N.svg (creating DIR).
    static func write(_ record: ReportRecord, to directory: String) throws {
        try makeDirectories(directory)
        let header = record.headerRows()
        for (i, plot) in record.plots.enumerated() {
            try writeFile(directory + "/" + ReportMarkdown.plotFile(i), plot.svg)
        }
        try writeFile(directory + "/report.md", ReportMarkdown.render(record, header: header))
        try writeFile(directory + "/report.html", ReportHTML.render(record, header: header))
    }
}

/// A file that could not be written, and why.
struct ReportWriteError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "'\(path)': \(reason)" }
}

/// `mkdir -p`.
func makeDirectories(_ path: String) throws {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for part in path.split(separator: "/") {
        prefix += part + "/"
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
            throw ReportWriteError(path: prefix, reason: String(cString: strerror(errno)))
        }
    }
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
        throw ReportWriteError(path: path, reason: "not a folder")
    }
}

/// Writes `text` to a temporary file beside `path`, then renames it (a
/// reader never sees half a file). The history file and reports use it.
func writeFile(_ path: String, _ text: String) throws {
    let temporary = path + ".tmp-\(getpid())"
    guard let f = fopen(temporary, "w") else { throw ReportWriteError(path: path, reason: String(cString: strerror(errno))) }
    let ok = fputs(text, f) >= 0
    if fclose(f) != 0 || !ok {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw ReportWriteError(path: path, reason: reason)
    }
    if rename(temporary, path) != 0 {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw ReportWriteError(path: path, reason: reason)
    }
}
