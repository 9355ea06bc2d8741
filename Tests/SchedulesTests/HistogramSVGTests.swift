// HistogramSVGTests: the SVG histogram (for reports) draws the bins of the
// terminal histogram: one bar per non-empty bin, each with its count.
import Testing
@testable import Schedules

@Suite("SVG histogram")
struct HistogramSVGTests {
    @Test func barsAreTheTerminalHistogramsBins() {
        let values: [Float] = [0, 0, 0, 1, 1, 2, 9, 9, 9, 9, .nan, .infinity]
        let svg = Plot.histogramSVG(values, bins: 5, title: "t <&>")
        // Bins of width 1.8 from 0: [0, 1.8) holds 0,0,0,1,1; [1.8, 3.6) holds 2; [7.2, 9] holds the 9s.
        let counts = svg.split(separator: "<title>").dropFirst().map { $0.prefix(while: { $0 != "<" }) }
        #expect(counts == ["5", "1", "4"])
        #expect(svg.contains("t &lt;&amp;&gt;"))
        let text = Plot.histogram(values, bins: 5)
        for c in ["│", " 5", " 1", " 4", " 0"] { #expect(text.contains(c)) }
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
    }

    @Test func noFiniteValues() {
        #expect(Plot.histogramSVG([.nan], bins: 4).contains("no finite values"))
    }
}
