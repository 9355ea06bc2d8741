// ReportText: what a report finds in printed text and in comments: the
// aligned text tables lfr prints (schedules, run summaries, compare's
// table: Schedules' TextTable), and the small Markdown of comment prose.
// What stays true here: a table is recognised only by TextTable's shape (a
// header line, a rule of dash runs two spaces apart under it, rows that
// leave the gaps between the columns blank), so other text is never cut
// into cells; every character of the text is in exactly one segment.

/// A piece of printed output: plain text, or a table found in it.
enum OutputSegment: Equatable {
    case text(String)
    case table(TextTableData)
}

struct TextTableData: Equatable {
    var header: [String]
    var rows: [[String]]
    /// Per column: true when its cells are right-aligned (numbers).
    var rightAligned: [Bool]
}

enum ReportText {
    /// `text` cut into plain text and tables; blank lines around a piece of
    /// text are dropped (a block's frame separates it already), and so is
    /// text that is only blank lines.
    static func segments(_ text: String) -> [OutputSegment] {
        cut(text).compactMap { segment in
            guard case .text(let t) = segment else { return segment }
            var lines = t.split(separator: "\n", omittingEmptySubsequences: false)
            let endsWithNewline = t.hasSuffix("\n")
            if endsWithNewline { lines.removeLast() }
            while let first = lines.first, first.allSatisfy({ $0 == " " }) { lines.removeFirst() }
            while let last = lines.last, last.allSatisfy({ $0 == " " }) { lines.removeLast() }
            return lines.isEmpty ? nil : .text(lines.joined(separator: "\n") + (endsWithNewline ? "\n" : ""))
        }
    }

    static func cut(_ text: String) -> [OutputSegment] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        var out: [OutputSegment] = []
        var plain: [String] = []
        func flushPlain() {
            if !plain.isEmpty { out.append(.text(plain.joined(separator: "\n") + "\n")) }
            plain = []
        }
        var i = 0
        while i < lines.count {
            if i + 1 < lines.count, let columns = ruleColumns(lines[i + 1]), fits(lines[i], columns),
               !lines[i].allSatisfy({ $0 == " " }) {
                var j = i + 2
                var rows: [[String]] = []
                while j < lines.count {
                    if lines[j] == lines[i + 1] { j += 1; continue }     // TextTable's rule before a total row
                    guard !lines[j].isEmpty, fits(lines[j], columns) else { break }
                    rows.append(cells(lines[j], columns))
                    j += 1
                }
                if !rows.isEmpty {
                    flushPlain()
                    out.append(.table(TextTableData(header: cells(lines[i], columns), rows: rows,
                                                    rightAligned: alignment(rows, lines: Array(lines[(i + 2)..<j]), columns))))
                    i = j
                    continue
                }
            }
            plain.append(String(lines[i]))
            i += 1
        }
        // The text ended with a newline: the split left one empty line after it.
        if let last = plain.last, last.isEmpty {
            plain.removeLast()
            flushPlain()
        } else if !plain.isEmpty {
            out.append(.text(plain.joined(separator: "\n")))
        }
        return out
    }

    /// The columns (start, end) of a rule line `----  ------  ---`, nil if `line` is not one.
    static func ruleColumns(_ line: [Character]) -> [Range<Int>]? {
        guard let first = line.first, first == "-", line.last == "-" else { return nil }
        var columns: [Range<Int>] = []
        var i = 0
        while i < line.count {
            guard line[i] == "-" else { return nil }
            let start = i
            while i < line.count && line[i] == "-" { i += 1 }
            columns.append(start..<i)
            if i == line.count { break }
            // exactly two spaces between columns
            guard i + 2 < line.count, line[i] == " ", line[i + 1] == " ", line[i + 2] == "-" else { return nil }
            i += 2
        }
        return columns.count >= 2 ? columns : nil
    }

    /// True when `line` leaves every gap between the columns blank and is no wider than the table.
    static func fits(_ line: [Character], _ columns: [Range<Int>]) -> Bool {
        guard let end = columns.last?.upperBound, line.count <= end else { return false }
        for k in 0..<(columns.count - 1) {
            for p in columns[k].upperBound..<columns[k + 1].lowerBound where p < line.count && line[p] != " " { return false }
        }
        return true
    }

    static func cells(_ line: [Character], _ columns: [Range<Int>]) -> [String] {
        columns.map { c in
            guard c.lowerBound < line.count else { return "" }
            return String(line[c.lowerBound..<min(c.upperBound, line.count)]).trimmingWhitespace
        }
    }

    /// A column is right-aligned when some cell is padded on the left and every non-empty cell ends at the column's end.
    static func alignment(_ rows: [[String]], lines: [[Character]], _ columns: [Range<Int>]) -> [Bool] {
        columns.indices.map { k in
            var padded = false
            for line in lines where ruleColumns(line) == nil {
                let c = columns[k]
                guard c.lowerBound < line.count else { continue }
                let cell = line[c.lowerBound..<min(c.upperBound, line.count)]
                if cell.allSatisfy({ $0 == " " }) { continue }
                if cell.count < c.count || cell.last == " " { return false }
                if cell.first == " " { padded = true }
            }
            return padded
        }
    }
}

// MARK: - Escaping and prose

extension ReportText {
    static func html(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A Markdown table cell: pipes escaped, never a line break.
    static func markdownCell(_ s: String) -> String {
        s.replacing("|", with: "\\|").replacing("\n", with: " ")
    }

    /// A fence longer than any run of backticks in `text` (so code containing ``` stays one block).
    static func fence(for text: String) -> String {
        var longest = 0, run = 0
        for ch in text {
            if ch == "`" { run += 1; longest = max(longest, run) } else { run = 0 }
        }
        return String(repeating: "`", count: max(3, longest + 1))
    }

    /// Comment prose (Markdown: paragraphs, `#` headings, `-`/`*`/`1.` lists,
    /// `code`, **bold**, *emphasis*, [links](url)) as HTML.
    static func proseHTML(_ markdown: String) -> String {
        var out = ""
        var paragraph: [String] = []
        var list: (ordered: Bool, items: [String])? = nil
        func flushParagraph() {
            if !paragraph.isEmpty { out += "<p>" + inlineHTML(paragraph.joined(separator: " ")) + "</p>\n" }
            paragraph = []
        }
        func flushList() {
            if let l = list {
                let tag = l.ordered ? "ol" : "ul"
                out += "<\(tag)>" + l.items.map { "<li>" + inlineHTML($0) + "</li>" }.joined() + "</\(tag)>\n"
            }
            list = nil
        }
        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw).trimmingWhitespace
            if line.isEmpty { flushParagraph(); flushList(); continue }
            let hashes = line.prefix(while: { $0 == "#" }).count
            if (1...6).contains(hashes), line.dropFirst(hashes).first == " " {
                flushParagraph(); flushList()
                let level = min(6, hashes + 1)     // the report's title is the h1
                out += "<h\(level)>" + inlineHTML(String(line.dropFirst(hashes + 1))) + "</h\(level)>\n"
                continue
            }
            if line.hasPrefix("- ") || line.hasPrefix("* ") {
                flushParagraph()
                if list?.ordered == true { flushList() }
                list = (false, (list?.items ?? []) + [String(line.dropFirst(2))])
                continue
            }
            let digits = line.prefix(while: { $0.isASCII && $0.isNumber })
            if !digits.isEmpty, line.dropFirst(digits.count).hasPrefix(". ") {
                flushParagraph()
                if list?.ordered == false { flushList() }
                list = (true, (list?.items ?? []) + [String(line.dropFirst(digits.count + 2))])
                continue
            }
            if var l = list, raw.first == " " {      // an indented line continues a list item
                l.items[l.items.count - 1] += " " + line
                list = l
                continue
            }
            flushList()
            paragraph.append(line)
        }
        flushParagraph(); flushList()
        return out
    }

    /// One line of Markdown's inline marks as HTML (everything else escaped).
    static func inlineHTML(_ text: String) -> String {
        let chars = Array(text)
        var out = ""
        var i = 0
        func find(_ s: String, from: Int) -> Int? {
            let pat = Array(s)
            var j = from
            while j + pat.count <= chars.count {
                if Array(chars[j..<(j + pat.count)]) == pat { return j }
                j += 1
            }
            return nil
        }
        while i < chars.count {
            let c = chars[i]
            if c == "`", let end = find("`", from: i + 1) {
                out += "<code>" + html(String(chars[(i + 1)..<end])) + "</code>"
                i = end + 1
            } else if c == "*", i + 1 < chars.count, chars[i + 1] == "*", let end = find("**", from: i + 2), end > i + 2 {
                out += "<strong>" + inlineHTML(String(chars[(i + 2)..<end])) + "</strong>"
                i = end + 2
            } else if c == "*", i + 1 < chars.count, chars[i + 1] != " ", let end = find("*", from: i + 1), end > i + 1 {
                out += "<em>" + inlineHTML(String(chars[(i + 1)..<end])) + "</em>"
                i = end + 1
            } else if c == "[", let close = find("](", from: i + 1), let end = find(")", from: close + 2) {
                let label = String(chars[(i + 1)..<close]), url = String(chars[(close + 2)..<end])
                let lower = url.lowercased()
                if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("#")
                    || (!lower.contains(":") && !lower.hasPrefix("//")) {
                    out += "<a href=\"\(html(url))\">" + inlineHTML(label) + "</a>"
                } else {
                    out += html(label)
                }
                i = end + 1
            } else {
                out += html(String(c))
                i += 1
            }
        }
        return out
    }
}
