// Tests for terminal and SVG plots and histograms.
import Testing
@testable import Schedules

@Suite struct PlotTests {
    @Test func singleSeriesUsesBrailleAndLabelsAxes() {
        let s = PlotSeries(name: "val ppl", x: [0, 1, 2, 3], y: [10, 5, 3, 2.5])
        let text = Plot.terminal([s], width: 20, height: 6, title: "t")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "t")
        #expect(lines[1].hasPrefix(" 10 ┤"))   // labels right-aligned to the widest ("2.5")
        #expect(lines[6].hasPrefix("2.5 ┤") || lines[6].contains("2.5 ┤"))
        #expect(text.unicodeScalars.contains { $0.value >= 0x2801 && $0.value <= 0x28FF })
        #expect(text.contains("val ppl"))
    }

    @Test func severalSeriesGetDistinctMarkersAndSkipNonFinite() {
        let a = PlotSeries(name: "lfr", x: [0, 1, 2], y: [3, 2, .nan])
        let b = PlotSeries(name: "random", x: [0, 1, 2], y: [3.5, 2.5, 2])
        let text = Plot.terminal([a, b], width: 30, height: 8)
        #expect(text.contains("* lfr") && text.contains("o random"))
        let plotted = text.split(separator: "\n").dropLast(2).joined()
        #expect(plotted.filter { $0 == "*" }.count == 2)
        #expect(plotted.filter { $0 == "o" }.count == 3)
    }

    @Test func emptyInputSaysSo() {
        #expect(Plot.terminal([PlotSeries(name: "x", y: [.nan])]).contains("no finite points"))
        #expect(Plot.histogram([]).contains("no finite values"))
    }

    @Test func svgIsWellFormedWithOnePolylinePerSeries() {
        let a = PlotSeries(name: "a<b", x: [0, 1], y: [1, 2])
        let b = PlotSeries(name: "c", x: [0, 1], y: [2, 1])
        let svg = Plot.svg([a, b], title: "val & loss")
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count == 3)
        #expect(svg.contains("a&lt;b") && svg.contains("val &amp; loss"))
    }

    @Test func histogramCountsEveryFiniteValue() {
        let v: [Float] = [1, 1, 2, 3, 3, 3, .nan]
        let h = Plot.histogram(v, bins: 2, width: 10)
        let rows = h.split(separator: "\n")
        #expect(rows.count == 3)
        #expect(rows[0].hasSuffix(" 2") && rows[1].hasSuffix(" 4"))   // [1,2): 1,1; [2,3]: 2,3,3,3
        #expect(rows[2] == "6 values, 1 non-finite skipped")
    }
}
