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

    @Test func severalSeriesAreLinesOfDistinctMarkersAndSkipNonFinite() {
        let a = PlotSeries(name: "lfr", x: [0, 1, 2], y: [3, 2, .nan])
        let b = PlotSeries(name: "random", x: [0, 1, 2], y: [3.5, 2.5, 2])
        let text = Plot.terminal([a, b], width: 31, height: 8)
        #expect(text.contains("* lfr") && text.contains("o random"))
        let rows = text.split(separator: "\n").filter { $0.contains("┤") }.map { Array($0.split(separator: "┤", maxSplits: 1)[1]) }
        #expect(rows.count == 8)
        // lfr spans x 0...1 (its NaN point is skipped): columns 0...15; random every column.
        for c in 0..<31 {
            #expect(rows.contains { $0[c] == "o" } || rows.contains { $0[c] == "*" })
            if c > 15 { #expect(!rows.contains { $0[c] == "*" }, "column \(c)") }
        }
        #expect(rows.contains { $0[0] == "*" } && rows.contains { $0[15] == "*" })
    }

    @Test func overlappingCurvesAlternateSoBothStayVisible() {
        let a = PlotSeries(name: "a", x: [0, 10], y: [1, 1])
        let b = PlotSeries(name: "b", x: [0, 10], y: [1, 1])
        let c = PlotSeries(name: "c", x: [0, 10], y: [0, 2])
        let text = Plot.terminal([a, b, c], width: 20, height: 5)
        let middle = text.split(separator: "\n")[2]   // y = 1: a and b on the same row
        #expect(middle.contains("*o*o") && middle.filter { $0 == "*" }.count >= 8 && middle.filter { $0 == "o" }.count >= 8)
        #expect(!text.contains("\u{1B}["))
        let coloured = Plot.terminal([a, b, c], width: 20, height: 5, colour: true)
        #expect(coloured.contains("\u{1B}[34m*\u{1B}[0m") && coloured.contains("\u{1B}[31mo\u{1B}[0m")
                && coloured.contains("\u{1B}[32m+\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[31mo\u{1B}[0m b"))   // the legend in the curve's colour
    }

    @Test func svgDrawsABandBehindTheLinesAndALogAxis() {
        let a = PlotSeries(name: "a", x: [1000, 10_000, 100_000, 1_000_000], y: [3, 2, 1.5, 1.2],
                           low: [2.9, 1.9, 1.4, 1.1], high: [3.1, 2.2, 1.6, 1.3])
        let svg = Plot.svg([a], width: 720, logX: true)
        let band = svg.range(of: "<polygon")!, line = svg.range(of: "<polyline")!
        #expect(band.lowerBound < line.lowerBound)
        // Decades are evenly spaced on the log axis: x = 70 + k * 630 / 3.
        for (k, label) in ["1,000", "10,000", "100,000", "1,000,000"].enumerated() {
            #expect(svg.contains(String(format: "<text x=\"%.1f\"", 70 + Double(k) * 630 / 3) + " y=\"386.0\" text-anchor=\"\(k == 3 ? "end" : "middle")\">\(label)</text>"), "\(label)")
        }
        // The band's y range sets the axis: its top (3.1) is the plot's top edge (y = 20).
        let polygon = String(svg[band.lowerBound...].prefix { $0 != "\n" })
        #expect(polygon.contains("70.00,20.00") && polygon.contains("70.00,\(String(format: "%.2f", 20 + (3.1 - 2.9) / 2 * 350))"))
        #expect(Plot.logTicks(2, 80) == [2, 5, 10, 20, 50])
        #expect(Plot.logTicks(3, 7) == [3, 4, 5, 6, 7])
        #expect(!Plot.svg([PlotSeries(name: "a", x: [0, 1], y: [1, 2])]).contains("<polygon"))
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
