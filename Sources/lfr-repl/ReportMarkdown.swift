// ReportMarkdown: a report record as GitHub-flavoured Markdown (report.md),
// with each plot as a linked SVG file next to it (plot-N.svg).
// What stays true here: code and output are fenced blocks whose fence is
// longer than any backtick run inside them, so nothing the script prints can
// break out of its block; tables are Markdown tables; prose is the
// comment's own Markdown.

enum ReportMarkdown {
    /// The file name of plot `index` (0-based) in the report's folder.
    static func plotFile(_ index: Int) -> String { "plot-\(index + 1).svg" }

    static func render(_ record: ReportRecord, header: [(String, String)]) -> String {
        var out = "# Report: \(record.title)\n\n"
        out += "| | |\n|---|---|\n"
        for (name, value) in header {
            out += "| \(name) | \(ReportText.markdownCell(value)) |\n"
        }
        out += "\n"
        for cell in record.cells {
            if let prose = cell.prose {
                out += prose + "\n\n"
                continue
            }
            if !cell.code.isEmpty {
                if let lines = cell.lines {
                    out += "<sub>line\(lines.count > 1 ? "s \(lines.lowerBound)–\(lines.upperBound)" : " \(lines.lowerBound)")</sub>\n\n"
                }
                out += block(cell.code, language: "lfr")
            }
            for item in cell.items { out += render(item, record) }
            if cell.droppedCharacters > 0 {
                out += "*… \(grouped(cell.droppedCharacters)) more characters of output not kept*\n\n"
            }
        }
        return out
    }

    static func render(_ item: ReportRecord.Item, _ record: ReportRecord) -> String {
        switch item {
        case .output(let text):
            var out = ""
            for segment in ReportText.segments(text) {
                switch segment {
                case .text(let t): out += block(t, language: "text")
                case .table(let t): out += table(t)
                }
            }
            return out
        case .value(let text):
            return block("=> " + text, language: "text")
        case .error(let text):
            return "**Error:**\n\n" + block(text, language: "text")
        case .plot(let index):
            let title = record.plots[index].title ?? "\(record.plots[index].kind.rawValue) \(index + 1)"
            return "![\(title.replacing("]", with: ")"))](\(plotFile(index)))\n\n"
        }
    }

    static func block(_ text: String, language: String) -> String {
        let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
        let fence = ReportText.fence(for: body)
        return fence + language + "\n" + body + "\n" + fence + "\n\n"
    }

    static func table(_ t: TextTableData) -> String {
        let columns = t.header.count
        var out = "| " + t.header.map(ReportText.markdownCell).joined(separator: " | ") + " |\n"
        out += "|" + (0..<columns).map { t.rightAligned[$0] ? "---:" : "---" }.joined(separator: "|") + "|\n"
        for row in t.rows {
            let cells = (0..<columns).map { $0 < row.count ? ReportText.markdownCell(row[$0]) : "" }
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return out + "\n"
    }
}
