// TextTable: plain aligned text tables for schedules, run summaries and
// comparisons (monospace, no colour; the REPL and logs print them as is).

public enum TextTable {
    /// Renders rows (the first is the header) in aligned columns.
    public static func render(_ rows: [[String]], rightAligned: Set<Int> = [],
                              separatorAfterHeader: Bool = true, separatorBeforeLast: Bool = false) -> String {
        guard let columns = rows.map({ $0.count }).max(), columns > 0 else { return "" }
        var width = [Int](repeating: 0, count: columns)
        for r in rows { for (j, c) in r.enumerated() { width[j] = max(width[j], c.count) } }
        func line(_ r: [String]) -> String {
            var parts: [String] = []
            for j in 0..<columns {
                let c = j < r.count ? r[j] : ""
                let pad = String(repeating: " ", count: width[j] - c.count)
                parts.append(rightAligned.contains(j) ? pad + c : c + pad)
            }
            var s = parts.joined(separator: "  ")
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
        let rule = width.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        var out: [String] = []
        for (i, r) in rows.enumerated() {
            if separatorBeforeLast && i == rows.count - 1 && rows.count > 1 { out.append(rule) }
            out.append(line(r))
            if separatorAfterHeader && i == 0 { out.append(rule) }
        }
        return out.joined(separator: "\n")
    }

    /// 1234567 -> "1,234,567".
    public static func grouped(_ n: Int) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }
}
