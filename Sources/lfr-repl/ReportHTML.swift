// ReportHTML: a report record as one self-contained HTML page (report.html).
// What stays true here: the page needs nothing else: CSS is inline, plots
// are inline SVG, and there is no script and no reference to the network
// (prose links are the only URLs, and only http(s) or relative ones); every
// text from the run is escaped; the layout reads on a phone (viewport,
// max-width, SVG that scales with the page) and prints (an @media print rule).

enum ReportHTML {
    static let style = """
        :root { color-scheme: light; }
        body { margin: 0; background: #fff; color: #1b1b1b;
               font: 16px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        main { max-width: 56rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.5rem; margin: 0.5rem 0 1rem; overflow-wrap: anywhere; }
        h2, h3, h4 { margin: 1.5rem 0 0.5rem; }
        table.meta { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; font-size: 0.9rem; }
        table.meta th { text-align: left; vertical-align: top; padding: 0.2rem 1rem 0.2rem 0; white-space: nowrap; color: #555; }
        table.meta td { padding: 0.2rem 0; overflow-wrap: anywhere; }
        .status-completed { color: #1a7f37; font-weight: 600; }
        .status-failed, .status-interrupted { color: #cf222e; font-weight: 600; }
        section.cell { margin: 1rem 0; }
        .lines { font-size: 0.75rem; color: #777; }
        pre { margin: 0.4rem 0; padding: 0.6rem 0.8rem; overflow-x: auto; border-radius: 4px;
              font: 0.85rem/1.4 ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
        pre.code { background: #f3f4f6; border-left: 3px solid #8b949e; }
        pre.output { background: #fff; border: 1px solid #e5e7eb; }
        pre.value { background: #fff; border: 1px solid #e5e7eb; color: #0550ae; }
        pre.value::before { content: "=> "; color: #8b949e; }
        p code, li code { font: 0.9em ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace;
                          background: #f3f4f6; padding: 0 0.2em; border-radius: 3px; }
        pre.error { background: #fff5f5; border: 1px solid #f5c2c7; color: #82071e; }
        .table-wrap { overflow-x: auto; margin: 0.4rem 0; }
        table.data { border-collapse: collapse; font-size: 0.85rem; font-variant-numeric: tabular-nums; }
        table.data th, table.data td { border: 1px solid #d0d7de; padding: 0.25rem 0.6rem; white-space: nowrap; }
        table.data th { background: #f6f8fa; }
        table.data td.num, table.data th.num { text-align: right; }
        figure.plot { margin: 0.6rem 0; }
        figure.plot svg { display: block; width: 100%; max-width: 720px; height: auto; }
        figure.plot figcaption { font-size: 0.8rem; color: #555; }
        .dropped { font-size: 0.85rem; color: #777; font-style: italic; }
        @media (max-width: 600px) { body { font-size: 15px; } main { padding: 0.6rem; } pre { font-size: 0.78rem; } }
        @media print {
          main { max-width: none; padding: 0; }
          pre { white-space: pre-wrap; overflow-wrap: anywhere; overflow: visible; }
          .table-wrap { overflow: visible; }
          section.cell, figure.plot, table.data { break-inside: avoid; }
          a { color: inherit; }
        }
        """

    static func render(_ record: ReportRecord, header: [(String, String)]) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(ReportText.html("Report: " + record.title))</title>
            <style>
            \(style)
            </style>
            </head>
            <body>
            <main>
            <h1>Report: \(ReportText.html(record.title))</h1>
            <table class="meta">

            """
        for (name, value) in header {
            var cell = ReportText.html(value)
            if name == "status" {
                let kind = value.split(separator: " ").first.map(String.init) ?? ""
                cell = "<span class=\"status-\(ReportText.html(kind))\">\(cell)</span>"
            }
            out += "<tr><th>\(ReportText.html(name))</th><td>\(cell)</td></tr>\n"
        }
        out += "</table>\n"
        for cell in record.cells {
            if let prose = cell.prose {
                out += "<section class=\"prose\">\n" + ReportText.proseHTML(prose) + "</section>\n"
                continue
            }
            out += "<section class=\"cell\">\n"
            if !cell.code.isEmpty {
                if let lines = cell.lines {
                    out += "<div class=\"lines\">line\(lines.count > 1 ? "s \(lines.lowerBound)–\(lines.upperBound)" : " \(lines.lowerBound)")</div>\n"
                }
                out += "<pre class=\"code\"><code>" + ReportText.html(cell.code) + "</code></pre>\n"
            }
            for item in cell.items { out += render(item, record) }
            if cell.droppedCharacters > 0 {
                out += "<p class=\"dropped\">… \(grouped(cell.droppedCharacters)) more characters of output not kept</p>\n"
            }
            out += "</section>\n"
        }
        return out + "</main>\n</body>\n</html>\n"
    }

    static func render(_ item: ReportRecord.Item, _ record: ReportRecord) -> String {
        func pre(_ cls: String, _ text: String) -> String {
            let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
            return "<pre class=\"\(cls)\">" + ReportText.html(body) + "</pre>\n"
        }
        switch item {
        case .output(let text):
            return ReportText.segments(text).map { segment -> String in
                switch segment {
                case .text(let t): return pre("output", t)
                case .table(let t): return table(t)
                }
            }.joined()
        case .value(let text):
            return pre("value", text)
        case .error(let text):
            return pre("error", text)
        case .plot(let index):
            let plot = record.plots[index]
            let caption = plot.title ?? "\(plot.kind.rawValue) \(index + 1)"
            return "<figure class=\"plot\" data-kind=\"\(plot.kind.rawValue)\">\n" + scalable(plot.svg)
                + "<figcaption>\(ReportText.html(caption))</figcaption>\n</figure>\n"
        }
    }

    static func table(_ t: TextTableData) -> String {
        func cls(_ k: Int) -> String { k < t.rightAligned.count && t.rightAligned[k] ? " class=\"num\"" : "" }
        var out = "<div class=\"table-wrap\"><table class=\"data\">\n<thead><tr>"
        for (k, h) in t.header.enumerated() { out += "<th\(cls(k))>\(ReportText.html(h))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for row in t.rows {
            out += "<tr>"
            for k in t.header.indices { out += "<td\(cls(k))>\(ReportText.html(k < row.count ? row[k] : ""))</td>" }
            out += "</tr>\n"
        }
        return out + "</tbody></table></div>\n"
    }

    /// An SVG document made to scale with the page: a viewBox from its
    /// width and height (which CSS then overrides), the XML declaration dropped.
    static func scalable(_ svg: String) -> String {
        var text = Substring(svg)
        if text.hasPrefix("<?xml"), let end = text.firstRange(of: "?>") { text = text[end.upperBound...].drop(while: { $0 == "\n" }) }
        guard let open = text.firstRange(of: "<svg"), let close = text[open.upperBound...].firstIndex(of: ">") else { return String(text) }
        let tag = String(text[open.lowerBound..<close])
        if tag.contains("viewBox") { return String(text) }
        func attribute(_ name: String) -> String? {
            guard let r = tag.firstRange(of: " \(name)=\"") else { return nil }
            let value = tag[r.upperBound...].prefix(while: { $0 != "\"" })
            return Double(value) != nil ? String(value) : nil
        }
        guard let w = attribute("width"), let h = attribute("height") else { return String(text) }
        return String(text[..<close]) + " viewBox=\"0 0 \(w) \(h)\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\"" + String(text[close...])
    }
}
