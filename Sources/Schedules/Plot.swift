// Plot: line plots and histograms as terminal text and as SVG files.
//
// Terminal line plots draw one series in Unicode braille (2x4 dots per
// character cell, the densest portable resolution); several series are
// drawn as lines of one marker character each (* o + x # @ % &), so they
// stay distinguishable without colour, with a legend. Where two curves pass
// through the same cell the cell shows them in turn, column by column
// ("*o*o"), so neither hides the other. With `colour` each series' marker
// is also wrapped in an ANSI colour (the host decides: only on a colour
// terminal). Axes carry min/max labels. Non-finite points are skipped.
//
// SVG output is a self-contained file with axes, ticks on round 1-2-5 steps
// (on a log x axis, decades with 2 and 5 between), a legend, one polyline
// per series and, for a series with a spread (`low`/`high`, e.g. min and max
// over seeds), a translucent band behind its line.
import Foundation

/// One named curve, optionally with a band (`low[i]...high[i]` at `x[i]`).
public struct PlotSeries: Sendable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    public var low: [Double]?
    public var high: [Double]?
    public init(name: String, x: [Double], y: [Double], low: [Double]? = nil, high: [Double]? = nil) {
        self.name = name; self.x = x; self.y = y; self.low = low; self.high = high
    }
    public init(name: String, y: [Double]) { self.init(name: name, x: y.indices.map(Double.init), y: y) }
}

public enum Plot {
    static let markers: [Character] = ["*", "o", "+", "x", "#", "@", "%", "&"]

    /// Finite (x, y) pairs of a series.
    static func points(_ s: PlotSeries) -> [(Double, Double)] {
        zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }
    }

    static func bounds(_ series: [PlotSeries], logX: Bool = false) -> (x0: Double, x1: Double, y0: Double, y1: Double)? {
        var x0 = Double.infinity, x1 = -Double.infinity, y0 = Double.infinity, y1 = -Double.infinity
        for s in series {
            for (x, y) in points(s) where !logX || x > 0 { x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y) }
            for band in [s.low, s.high] {
                for (i, v) in (band ?? []).enumerated() where v.isFinite && i < s.x.count && s.x[i].isFinite && (!logX || s.x[i] > 0) {
                    y0 = min(y0, v); y1 = max(y1, v)
                }
            }
        }
        if logX && x0.isFinite && x1 == x0 { return (x0 / 2, x1 * 2, y0 == y1 ? y0 - 0.5 : y0, y0 == y1 ? y1 + 0.5 : y1) }
        guard x0.isFinite else { return nil }
        if x1 == x0 { x0 -= 0.5; x1 += 0.5 }
        if y1 == y0 { y0 -= 0.5; y1 += 0.5 }
        return (x0, x1, y0, y1)
    }

    /// A compact number label: 1234 -> "1,234", 1.5e6 -> "1,500,000", 0.0123 -> "0.0123".
    public static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if v == v.rounded() && a < 1e12 { return TextTable.grouped(Int(v)) }   // token counts: 2,486,272
        if a >= 1e5 || a < 1e-3 { return String(format: "%.3g", v) }
        return String(format: "%.4g", v)
    }

    /// Tick values on round 1-2-5 steps inside [lo, hi]: the step is the
    /// smallest of 1, 2, 5 times a power of ten giving at most `count` + 1 ticks.
    public static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi > lo, count >= 1 else { return [lo] }
        let raw = (hi - lo) / Double(count)
        let power = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        var out = [Double]()
        var k = (lo / step - 1e-9).rounded(.up)
        while k * step <= hi + step * 1e-9 {
            let v = k * step
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            k += 1
        }
        return out
    }

    /// Ticks of a log axis over [lo, hi] (both > 0): the powers of ten inside,
    /// with 2 and 5 times them when fewer than three powers fall inside, and
    /// every integer multiple (1..9) when still fewer than three ticks.
    public static func logTicks(_ lo: Double, _ hi: Double) -> [Double] {
        guard lo > 0, hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let first = Int(log10(lo).rounded(.down)), last = Int(log10(hi).rounded(.up))
        func inside(_ multiples: [Double]) -> [Double] {
            var out = [Double]()
            for e in first...last {
                for m in multiples {
                    let v = m * pow(10, Double(e))
                    if v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12) { out.append(v) }
                }
            }
            return out
        }
        let powers = inside([1])
        if powers.count >= 3 { return powers }
        let coarse = inside([1, 2, 5])
        return coarse.count >= 3 ? coarse : inside([1, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    /// ANSI colours of the terminal plot's series (blue, red, green, yellow, magenta, cyan).
    static let ansiColours = ["34", "31", "32", "33", "35", "36"]

    static func coloured(_ text: String, _ k: Int, _ colour: Bool) -> String {
        colour ? "\u{1B}[\(ansiColours[k % ansiColours.count])m" + text + "\u{1B}[0m" : text
    }

    /// A line plot for the terminal (see the file header); `colour` adds ANSI colours.
    public static func terminal(_ series: [PlotSeries], width: Int = 64, height: Int = 16,
                                title: String? = nil, xLabel: String = "", yLabel: String = "",
                                colour: Bool = false) -> String {
        let W = max(8, width), H = max(4, height)
        var lines: [String] = []
        if let title { lines.append(title) }
        guard let b = bounds(series) else { return (lines + ["(no finite points to plot)"]).joined(separator: "\n") }
        var grid = [[Character]](repeating: [Character](repeating: " ", count: W), count: H)
        var markedRows: [String]? = nil
        if series.count == 1 {
            // Braille: each cell holds 2 columns x 4 rows of dots.
            var dots = [[UInt8]](repeating: [UInt8](repeating: 0, count: W), count: H)
            let bits: [[UInt8]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
            let pts = points(series[0])
            func plotDot(_ px: Int, _ py: Int) {
                guard px >= 0, px < 2 * W, py >= 0, py < 4 * H else { return }
                dots[py / 4][px / 2] |= bits[py % 4][px % 2]
            }
            func pixel(_ x: Double, _ y: Double) -> (Int, Int) {
                let px = Int(((x - b.x0) / (b.x1 - b.x0) * Double(2 * W - 1)).rounded())
                let py = Int(((b.y1 - y) / (b.y1 - b.y0) * Double(4 * H - 1)).rounded())
                return (px, py)
            }
            var previous: (Int, Int)? = nil
            for (x, y) in pts {
                let p = pixel(x, y)
                if let q = previous {
                    // Connect consecutive points with a straight dotted line.
                    let steps = max(abs(p.0 - q.0), abs(p.1 - q.1), 1)
                    for s in 0...steps {
                        let t = Double(s) / Double(steps)
                        plotDot(Int((Double(q.0) + t * Double(p.0 - q.0)).rounded()),
                                Int((Double(q.1) + t * Double(p.1 - q.1)).rounded()))
                    }
                } else {
                    plotDot(p.0, p.1)
                }
                previous = p
            }
            for r in 0..<H { for c in 0..<W where dots[r][c] != 0 {
                grid[r][c] = Character(Unicode.Scalar(0x2800 + UInt32(dots[r][c]))!)
            } }
        } else {
            // Each series as a line: its row in every column its x range
            // covers (linear between points), the rows between consecutive
            // columns filled so steep drops stay connected.
            var occupants = [[[Int]]](repeating: [[Int]](repeating: [], count: W), count: H)
            for (k, s) in series.enumerated() {
                let pts = points(s)
                guard let firstX = pts.first?.0, let lastX = pts.last?.0 else { continue }
                func row(_ y: Double) -> Int { Int(((b.y1 - y) / (b.y1 - b.y0) * Double(H - 1)).rounded()) }
                func column(_ x: Double) -> Int { Int(((x - b.x0) / (b.x1 - b.x0) * Double(W - 1)).rounded()) }
                var previous: Int? = nil
                var j = 0
                for c in max(0, column(firstX))...min(W - 1, column(lastX)) {
                    let x = b.x0 + Double(c) / Double(W - 1) * (b.x1 - b.x0)
                    while j + 1 < pts.count && pts[j + 1].0 < x { j += 1 }
                    var y = pts[j].1
                    if j + 1 < pts.count, pts[j + 1].0 > pts[j].0 {
                        let f = min(1, max(0, (x - pts[j].0) / (pts[j + 1].0 - pts[j].0)))
                        y = pts[j].1 + f * (pts[j + 1].1 - pts[j].1)
                    }
                    let r = min(H - 1, max(0, row(y)))
                    // Rows from just past the previous column's row to this one.
                    var rows = r...r
                    if let p = previous, p != r { rows = p < r ? (p + 1)...r : r...(p - 1) }
                    for rr in rows where !occupants[rr][c].contains(k) { occupants[rr][c].append(k) }
                    previous = r
                }
            }
            var cells = [[String]](repeating: [String](repeating: " ", count: W), count: H)
            for r in 0..<H { for c in 0..<W where !occupants[r][c].isEmpty {
                // Shared cells alternate between their curves from column to column.
                let k = occupants[r][c][c % occupants[r][c].count]
                cells[r][c] = coloured(String(markers[k % markers.count]), k, colour)
            } }
            markedRows = cells.map { $0.joined() }
        }
        let top = label(b.y1), bottom = label(b.y0)
        let margin = max(top.count, bottom.count, yLabel.count)
        for r in 0..<H {
            var left = ""
            if r == 0 { left = top } else if r == H - 1 { left = bottom } else if r == H / 2 { left = yLabel }
            lines.append(String(repeating: " ", count: margin - left.count) + left + " ┤" + (markedRows?[r] ?? String(grid[r])))
        }
        lines.append(String(repeating: " ", count: margin) + " └" + String(repeating: "─", count: W))
        let xl = label(b.x0), xr = label(b.x1)
        let mid = xLabel.isEmpty ? "" : xLabel
        let gap = max(1, W - xl.count - xr.count - mid.count)
        lines.append(String(repeating: " ", count: margin + 2) + xl + String(repeating: " ", count: gap / 2) + mid
                     + String(repeating: " ", count: gap - gap / 2) + xr)
        if series.count > 1 || !(series.first?.name.isEmpty ?? true) {
            let legend = series.enumerated().map { k, s in
                series.count == 1 ? "⣿ \(s.name)" : coloured(String(markers[k % markers.count]), k, colour) + " \(s.name)"
            }
            lines.append(String(repeating: " ", count: margin + 2) + legend.joined(separator: "   "))
        }
        return lines.joined(separator: "\n")
    }

    static func xmlEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// A line plot as a self-contained SVG document.
    public static func svg(_ series: [PlotSeries], width: Int = 720, height: Int = 420,
                           title: String? = nil, xLabel: String = "", yLabel: String = "", logX: Bool = false) -> String {
        let W = Double(width), H = Double(height)
        let left = 70.0, right = 20.0, top = title == nil ? 20.0 : 40.0, bottom = 50.0
        let pw = W - left - right, ph = H - top - bottom
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        if let title { out += "<text x=\"\(W / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(xmlEscape(title))</text>\n" }
        guard let b = bounds(series, logX: logX) else { return out + "<text x=\"20\" y=\"60\">no finite points</text>\n</svg>\n" }
        func sx(_ x: Double) -> Double {
            logX ? left + (log(x) - log(b.x0)) / (log(b.x1) - log(b.x0)) * pw : left + (x - b.x0) / (b.x1 - b.x0) * pw
        }
        func visible(_ x: Double) -> Bool { !logX || x > 0 }
        func sy(_ y: Double) -> Double { top + (b.y1 - y) / (b.y1 - b.y0) * ph }
        out += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(pw)\" height=\"\(ph)\" fill=\"none\" stroke=\"#444\"/>\n"
        let xTicks = logX ? logTicks(b.x0, b.x1) : ticks(b.x0, b.x1), yTicks = ticks(b.y0, b.y1)
        for (i, xv) in xTicks.enumerated() {
            // The last label ends at its tick when centring it would cross the right edge.
            let anchor = i == xTicks.count - 1 && sx(xv) + 4 * Double(label(xv).count) > W ? "end" : "middle"
            out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", sx(xv), top, sx(xv), top + ph)
            out += "<text x=\"\(String(format: "%.1f", sx(xv)))\" y=\"\(String(format: "%.1f", top + ph + 16))\" text-anchor=\"\(anchor)\">\(label(xv))</text>\n"
        }
        for yv in yTicks {
            out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left, sy(yv), left + pw, sy(yv))
            out += "<text x=\"\(String(format: "%.1f", left - 6))\" y=\"\(String(format: "%.1f", sy(yv) + 4))\" text-anchor=\"end\">\(label(yv))</text>\n"
        }
        if !xLabel.isEmpty { out += "<text x=\"\(left + pw / 2)\" y=\"\(H - 10)\" text-anchor=\"middle\">\(xmlEscape(xLabel))</text>\n" }
        if !yLabel.isEmpty { out += "<text transform=\"translate(16,\(top + ph / 2)) rotate(-90)\" text-anchor=\"middle\">\(xmlEscape(yLabel))</text>\n" }
        // Bands first, so every line is drawn over every band.
        for (k, s) in series.enumerated() {
            guard let lo = s.low, let hi = s.high else { continue }
            var upper = [String](), lower = [String]()
            for i in s.x.indices where i < lo.count && i < hi.count && s.x[i].isFinite && visible(s.x[i]) && lo[i].isFinite && hi[i].isFinite {
                upper.append(String(format: "%.2f,%.2f", sx(s.x[i]), sy(hi[i])))
                lower.append(String(format: "%.2f,%.2f", sx(s.x[i]), sy(lo[i])))
            }
            guard upper.count >= 2 else { continue }
            out += "<polygon class=\"band\" fill=\"\(palette[k % palette.count])\" fill-opacity=\"0.18\" stroke=\"none\" points=\"\((upper + lower.reversed()).joined(separator: " "))\"/>\n"
        }
        for (k, s) in series.enumerated() {
            let colour = palette[k % palette.count]
            let pts = points(s).filter { visible($0.0) }.map { String(format: "%.2f,%.2f", sx($0.0), sy($0.1)) }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.8\" points=\"\(pts)\"/>\n"
            let ly = top + 14 + Double(k) * 16
            out += "<line x1=\"\(left + pw - 150)\" y1=\"\(ly - 4)\" x2=\"\(left + pw - 130)\" y2=\"\(ly - 4)\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            out += "<text x=\"\(left + pw - 125)\" y=\"\(ly)\">\(xmlEscape(s.name))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// A horizontal-bar histogram of the finite values.
    public static func histogram(_ values: [Float], bins: Int = 20, width: Int = 50, title: String? = nil) -> String {
        let v = values.filter { $0.isFinite }.map(Double.init)
        var lines: [String] = []
        if let title { lines.append(title) }
        guard let lo = v.min(), let hi = v.max() else { return (lines + ["(no finite values)"]).joined(separator: "\n") }
        let nb = max(1, bins)
        let span = hi > lo ? hi - lo : 1
        var counts = [Int](repeating: 0, count: nb)
        for x in v { counts[min(nb - 1, Int((x - lo) / span * Double(nb)))] += 1 }
        let most = max(1, counts.max() ?? 1)
        let labels = (0..<nb).map { i -> String in
            let a = lo + Double(i) / Double(nb) * span
            return "[\(label(a)), \(label(a + span / Double(nb))))"
        }
        let lw = labels.map(\.count).max() ?? 0
        for i in 0..<nb {
            let bar = Double(counts[i]) / Double(most) * Double(width)
            let full = Int(bar)
            let eighths = Int((bar - Double(full)) * 8)
            let partial = eighths > 0 ? String(Character(Unicode.Scalar(0x2590 - UInt32(eighths))!)) : ""
            lines.append(labels[i].padding(toLength: lw, withPad: " ", startingAt: 0) + " │"
                         + String(repeating: "█", count: full) + partial + " \(counts[i])")
        }
        lines.append("\(v.count) values, \(values.count - v.count) non-finite skipped")
        return lines.joined(separator: "\n")
    }
}
