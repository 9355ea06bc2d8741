// Plot+Histogram: the histogram of `Plot.histogram` as an SVG document
// (vertical bars), for reports.
// What stays true here: the bins are the terminal histogram's (equal
// widths from the smallest to the largest finite value, the largest value
// in the last bin), so the two drawings of one call always agree.

import Foundation

extension Plot {
    /// The finite values' bin counts: (lowest value, bin width, counts), nil if none is finite.
    static func histogramBins(_ values: [Float], bins: Int) -> (lo: Double, width: Double, counts: [Int])? {
        let v = values.filter { $0.isFinite }.map(Double.init)
        guard let lo = v.min(), let hi = v.max() else { return nil }
        let nb = max(1, bins)
        let span = hi > lo ? hi - lo : 1
        var counts = [Int](repeating: 0, count: nb)
        for x in v { counts[min(nb - 1, Int((x - lo) / span * Double(nb)))] += 1 }
        return (lo, span / Double(nb), counts)
    }

    /// A histogram of the finite values as a self-contained SVG document.
    public static func histogramSVG(_ values: [Float], bins: Int = 20, width: Int = 720, height: Int = 420,
                                    title: String? = nil) -> String {
        let W = Double(width), H = Double(height)
        let left = 70.0, right = 20.0, top = title == nil ? 20.0 : 40.0, bottom = 50.0
        let pw = W - left - right, ph = H - top - bottom
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        if let title { out += "<text x=\"\(W / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(xmlEscape(title))</text>\n" }
        guard let h = histogramBins(values, bins: bins) else { return out + "<text x=\"20\" y=\"60\">no finite values</text>\n</svg>\n" }
        let most = Double(max(1, h.counts.max() ?? 1))
        let x0 = h.lo, x1 = h.lo + h.width * Double(h.counts.count)
        func sx(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw }
        func sy(_ y: Double) -> Double { top + (most - y) / most * ph }
        out += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(pw)\" height=\"\(ph)\" fill=\"none\" stroke=\"#444\"/>\n"
        for yv in ticks(0, most) {
            out += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left, sy(yv), left + pw, sy(yv))
            out += "<text x=\"\(String(format: "%.1f", left - 6))\" y=\"\(String(format: "%.1f", sy(yv) + 4))\" text-anchor=\"end\">\(label(yv))</text>\n"
        }
        for (i, xv) in ticks(x0, x1).enumerated() {
            let anchor = i > 0 && sx(xv) + 4 * Double(label(xv).count) > W ? "end" : "middle"
            out += "<text x=\"\(String(format: "%.1f", sx(xv)))\" y=\"\(String(format: "%.1f", top + ph + 16))\" text-anchor=\"\(anchor)\">\(label(xv))</text>\n"
        }
        for (i, c) in h.counts.enumerated() where c > 0 {
            let a = sx(x0 + Double(i) * h.width), b = sx(x0 + Double(i + 1) * h.width)
            out += String(format: "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" ", a, sy(Double(c)), max(0.5, b - a - 1), ph - (sy(Double(c)) - top))
                + "fill=\"\(palette[0])\"><title>\(c)</title></rect>\n"
        }
        out += "<text transform=\"translate(16,\(top + ph / 2)) rotate(-90)\" text-anchor=\"middle\">count</text>\n"
        return out + "</svg>\n"
    }
}
