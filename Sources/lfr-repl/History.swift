// History: the persistent input history of the REPL (~/.lfr_history, or
// $LFR_HISTORY), in readline's history file format.
// What stays true here: every accepted entry is appended to the file at once
// (so a crash or a second session loses nothing); an entry equal to the one
// before it is not stored again; an entry of several lines is one entry (the
// file puts a `#<time>` line before each entry); the file is capped at
// `limit` entries (not lines: a multi-line entry is kept or dropped whole)
// when the session starts and ends.
import CReadline
import Script
import Glibc

final class History {
    let path: String?
    let limit: Int
    private var last: String?

    /// The history file to use: $LFR_HISTORY (empty: no file), else ~/.lfr_history.
    static func defaultPath() -> String? {
        if let p = getenv("LFR_HISTORY") { return p.pointee == 0 ? nil : String(cString: p) }
        if let home = getenv("HOME") { return String(cString: home) + "/.lfr_history" }
        return nil
    }

    init(path: String?, limit: Int = 10_000) {
        self.path = path
        self.limit = limit
        lfr_history_set_multiline_format()
        using_history()
        stifle_history(Int32(limit))
    }

    /// Loads the file into readline's memory (for Up and Ctrl-R) after capping it.
    func load() {
        guard let path else { return }
        if access(path, F_OK) != 0 { return }
        History.capFile(path, entries: limit)
        read_history(path)
        if history_length > 0, let entry = history_get(history_base + history_length - 1), let line = entry.pointee.line {
            last = String(cString: line)
        }
    }

    /// Records one entry (memory and file), unless it repeats the previous entry or is blank.
    func add(_ entry: String) {
        let trimmed = entry.trimmingWhitespace
        if trimmed.isEmpty || entry == last { return }
        last = entry
        add_history(entry)
        guard let path else { return }
        // append_history does not create the file.
        if access(path, F_OK) != 0 {
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            if fd >= 0 { Glibc.close(fd) }
        }
        append_history(1, path)
    }

    /// Caps the file (end of session).
    func close() {
        guard let path, access(path, F_OK) == 0 else { return }
        History.capFile(path, entries: limit)
    }

    /// The entries in memory, oldest first.
    func entries() -> [String] {
        var out: [String] = []
        for i in 0..<Int(history_length) {
            if let e = history_get(history_base + Int32(i)), let line = e.pointee.line { out.append(String(cString: line)) }
        }
        return out
    }

    /// Keeps the last `entries` entries of the file at `path` (an entry starts
    /// at a `#<digits>` line); rewrites it only when it holds more.
    static func capFile(_ path: String, entries limit: Int) {
        guard let text = try? readTextFile(path) else { return }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var starts: [Int] = []
        for (i, line) in lines.enumerated() where line.count > 1 && line.first == "#" && line.dropFirst().allSatisfy(\.isNumber) {
            starts.append(i)
        }
        guard starts.count > limit else { return }
        let kept = lines[starts[starts.count - limit]...].joined(separator: "\n")
        try? writeFile(path, kept)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
