// Report: the record of a script's run or of a session at the prompt, which
// `--report DIR` and `:report DIR` write out as Markdown and HTML
// (ReportMarkdown.swift, ReportHTML.swift).
// What stays true here: recording never changes what runs or what is
// printed (output still goes where it went; the record keeps a copy);
// every item sits under the cell whose code produced it, in the order it
// appeared; progress lines are never recorded, but the last line of each
// training run is; a cell keeps at most `outputLimit` characters of output
// (the rest is counted, not kept), so a chatty session cannot exhaust memory.
import Glibc
import Script
import ScriptLibrary

final class ReportRecord {
    /// What one cell shows after its code.
    enum Item: Equatable {
        /// Text the code printed (tables inside it are found when writing).
        case output(String)
        /// The value of the cell's final expression, as the prompt shows it.
        case value(String)
        /// An error (or an interrupt), rendered as on the terminal without colour.
        case error(String)
        /// `plots[n]`.
        case plot(Int)
    }

    struct Cell {
        /// A comment block (Markdown), or nil for a code cell.
        var prose: String?
        var code: String = ""
        /// Where the code is in the script (nil at the prompt).
        var lines: ClosedRange<Int>? = nil
        var items: [Item] = []
        /// Output characters dropped beyond `outputLimit`.
        var droppedCharacters = 0
        var keptCharacters = 0
    }

    enum Status: Equatable {
        case completed
        case failed(line: Int?)
        case interrupted(signal: String)
        case exited(code: Int32)
        /// A session at the prompt, still going.
        case session

        var text: String {
            switch self {
            case .completed: return "completed"
            case .failed(let line): return "failed" + (line.map { " (error at line \($0))" } ?? "")
            case .interrupted(let signal): return "interrupted (\(signal))"
            case .exited(let code): return "stopped by exit(\(code))"
            case .session: return "session in progress"
            }
        }
    }

    static let outputLimit = 1_000_000

    /// The heading: the script's path, or "lfr session".
    var title: String
    /// The script that ran (nil at the prompt) and its bytes' SHA-256.
    var scriptPath: String?
    var scriptHash: String?
    var arguments: [String]
    /// Seconds since the epoch, and the process clock, at the start.
    let startedAt = time(nil)
    let startClock = ProcessClock.seconds()
    var endClock: Double?
    var status: Status = .completed
    private(set) var cells: [Cell] = []
    private(set) var plots: [PlotArtifact] = []
    /// Data files read, in first-read order, each once; plus files run by `:load`.
    private(set) var dataFiles: [String] = []
    /// The last progress report of the training run under way (label, line).
    private var runLine: (label: String?, text: String)?

    init(title: String, arguments: [String]) {
        self.title = title
        self.arguments = arguments
    }

    // MARK: - Recording

    /// Starts a code cell (what follows belongs to it).
    func beginCode(_ code: String, lines: ClosedRange<Int>? = nil) {
        finishRunLine()
        cells.append(Cell(prose: nil, code: code, lines: lines))
    }

    func addProse(_ text: String) {
        finishRunLine()
        cells.append(Cell(prose: text))
    }

    /// Printed text, appended to the current cell's output.
    func write(_ raw: String) {
        let text = strippingTerminalEscapes(raw)
        guard !text.isEmpty else { return }
        if cells.isEmpty || cells[cells.count - 1].prose != nil { cells.append(Cell(prose: nil)) }
        var cell = cells.removeLast()
        defer { cells.append(cell) }
        let room = ReportRecord.outputLimit - cell.keptCharacters
        guard room > 0 else { cell.droppedCharacters += text.count; return }
        let kept = text.count <= room ? text : String(text.prefix(room))
        cell.droppedCharacters += text.count - kept.count
        cell.keptCharacters += kept.count
        if case .output(let previous) = cell.items.last {
            cell.items[cell.items.count - 1] = .output(previous + kept)
        } else {
            cell.items.append(.output(kept))
        }
    }

    func add(_ item: Item) {
        finishRunLine()
        if cells.isEmpty || cells[cells.count - 1].prose != nil { cells.append(Cell(prose: nil)) }
        cells[cells.count - 1].items.append(item)
    }

    /// A plot: shown where its terminal drawing was printed (which it
    /// replaces), else after the cell's output so far.
    func addPlot(_ plot: PlotArtifact) {
        plots.append(plot)
        let index = plots.count - 1
        if let printed = plot.printed.map(strippingTerminalEscapes), !printed.isEmpty, let last = cells.indices.last,
           case .output(let text)? = cells[last].items.last, let range = lastRange(of: printed, in: text) {
            let before = String(text[..<range.lowerBound]), after = String(text[range.upperBound...])
            var items = Array(cells[last].items.dropLast())
            if !before.isEmpty { items.append(.output(before)) }
            items.append(.plot(index))
            if !after.isEmpty { items.append(.output(after)) }
            cells[last].items = items
            return
        }
        add(.plot(index))
    }

    func noteFiles(_ paths: [String]) {
        for p in paths where !dataFiles.contains(p) { dataFiles.append(p) }
    }

    /// A progress report: only the latest of each run is kept, and it joins
    /// the output when the run ends (another run starts, training ends, or
    /// the cell ends).
    func progress(label: String?, line: String) {
        if let current = runLine, current.label != label { finishRunLine() }
        runLine = (label, line)
    }

    /// Puts the current run's last progress line into the output.
    func finishRunLine() {
        guard let line = runLine else { return }
        runLine = nil
        write((line.label.map { $0 + ": " } ?? "") + line.text + "\n")
    }

    /// Ends the record: the wall time stops here.
    func finish(_ status: Status) {
        finishRunLine()
        self.status = status
        endClock = ProcessClock.seconds()
    }

    var wallSeconds: Double { (endClock ?? ProcessClock.seconds()) - startClock }

    // MARK: - Attaching to an interpreter

    /// Makes `host` report to this record: printed text, plots, data files
    /// read and the final progress line of each run (what it printed before
    /// still goes to the terminal).
    func attach(to host: ScriptHost) {
        let print = host.interpreter.output
        host.interpreter.output = { text in
            print(text)
            self.write(text)
        }
        let library = host.library
        let show = library.showProgress
        library.showProgress = { p in
            show?(p)
            let line = ProgressLine(p, secondsLeft: nil)
            self.progress(label: p.label, line: line.fullText + (p.message.map { "  (\($0))" } ?? ""))
        }
        let end = library.endProgress
        library.endProgress = {
            end?()
            self.finishRunLine()
        }
        library.plotMade = { plot in self.addPlot(plot) }
        library.dataFilesRead = { paths in self.noteFiles(paths) }
    }
}

// MARK: - Header facts

extension ReportRecord {
    /// "2026-12-04 23:10:05 UTC".
    static func utcDate(_ t: time_t) -> String {
        var t = t
        var parts = tm()
        gmtime_r(&t, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S UTC", &parts)
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The header's rows (name, value) in order; file hashes are computed here.
    func headerRows() -> [(String, String)] {
        var rows: [(String, String)] = [
            ("status", status.text),
            ("lfr", LfrOptions.version),
            ("date", ReportRecord.utcDate(startedAt)),
            ("machine", ReportRecord.machine),
            ("BLAS", Machine.blas),
            ("wall time", formatDuration(wallSeconds)),
            ("arguments", arguments.isEmpty ? "(none)" : arguments.map(shellQuoted).joined(separator: " ")),
        ]
        if let scriptPath {
            rows.append(("script", "\(scriptPath)  sha256 \(scriptHash ?? "?")"))
        } else {
            let entries = cells.filter { $0.prose == nil && !$0.code.isEmpty }.map(\.code)
            rows.append(("entries", "\(entries.count)  sha256 \(SHA256.hex(of: Array(entries.joined(separator: "\n").utf8)))"))
        }
        for f in dataFiles {
            rows.append(("data", "\(f)  sha256 \(SHA256.hex(ofFile: f) ?? "(cannot read the file now)")"))
        }
        return rows
    }

    static var machine: String {
        let cores = Machine.cores
        var text = "\(cores) core\(cores == 1 ? "" : "s")"
        if let cpu = Machine.cpuModel { text += ", " + cpu }
        return text + "; model kernels " + Machine.modelKernels
    }
}

/// Where `needle` last occurs in `text`, nil if nowhere.
/// `text` without terminal control sequences (ESC [ ... final byte: the
/// colours of a session at a colour terminal), as a report shows it.
func strippingTerminalEscapes(_ text: String) -> String {
    guard text.utf8.contains(0x1B) else { return text }
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    var bytes = Array(text.utf8)[...]
    while let b = bytes.popFirst() {
        guard b == 0x1B else { out.append(b); continue }
        guard bytes.first == UInt8(ascii: "[") else { continue }
        bytes.removeFirst()
        while let c = bytes.popFirst(), !(0x40...0x7E).contains(c) {}
    }
    return String(decoding: out, as: UTF8.self)
}

func lastRange(of needle: String, in text: String) -> Range<String.Index>? {
    guard !needle.isEmpty else { return nil }
    var found: Range<String.Index>? = nil
    var from = text.startIndex
    while let r = text[from...].firstRange(of: needle) {
        found = r
        from = r.upperBound
    }
    return found
}

/// `word` as a shell would need it (quoted when it holds anything but safe characters).
func shellQuoted(_ word: String) -> String {
    let safe = word.unicodeScalars.allSatisfy {
        ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "-_./=:,+@%".unicodeScalars.contains($0)
    }
    if safe && !word.isEmpty { return word }
    return "'" + word.replacing("'", with: "'\\''") + "'"
}

extension ProgressLine {
    /// The line for a library progress report (the terminal's and the report's).
    init(_ p: ProgressReport, secondsLeft: Double?) {
        self.init(runName: p.label, step: p.step, phase: "\(p.phase)/\(p.phaseCount) \(p.phaseName)",
                  tokens: p.tokens, totalTokens: p.totalTokens, loss: p.loss, valPpl: p.valPpl,
                  tokensPerSecond: p.tokensPerSecond, secondsLeft: secondsLeft)
    }
}
