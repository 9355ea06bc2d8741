// PlotBindings: plot() and hist(), line plots and histograms of tensors,
// lists and curves, in the terminal or as SVG files.
//
// What stays true here: plots draw what they are given (Schedules' Plot
// does the drawing); sizes are checked before drawing.
import Schedules
import Script
import TensorCore

/// Curves for plot(): see plot's doc string.
func plotSeries(_ v: Value) throws -> [PlotSeries] {
    func one(_ v: Value, name: String) throws -> PlotSeries {
        if case .object(let o) = v, let t = o as? TensorValue {
            let x = t.tensor
            if x.rank == 2 && x.shape[1] == 2 {
                let f = x.toArray()
                return PlotSeries(name: name, x: stride(from: 0, to: f.count, by: 2).map { Double(f[$0]) },
                                  y: stride(from: 1, to: f.count, by: 2).map { Double(f[$0]) })
            }
            guard x.rank <= 1 else { throw RuntimeError("plot: a curve must be 1-d or [N, 2], got shape \(x.shape)") }
            return PlotSeries(name: name, y: x.toArray().map(Double.init))
        }
        if case .list(let l) = v, l.items.allSatisfy({ if case .number = $0 { return true }; return false }) {
            return PlotSeries(name: name, y: l.items.map { if case .number(let d) = $0 { return d }; return .nan })
        }
        throw RuntimeError("plot: cannot plot a \(typeName(v)) (give a tensor, a list of numbers, a list of curves or a dict)")
    }
    switch v {
    case .dict(let d):
        return try zip(d.keys, d.values).map { try one($1, name: displayString($0)) }
    case .list(let l) where l.items.contains(where: { if case .number = $0 { return false }; return true }):
        return try l.items.enumerated().map { try one($1, name: "\($0 + 1)") }
    default:
        return [try one(v, name: "")]
    }
}

/// Registers plot and hist.
func installPlotBindings(into interp: Interpreter, host: LibraryHost) {
    interp.register("plot", [Param("curves"), Param("to", default: .nil), Param("title", default: .nil),
                             Param("x", default: .string("")), Param("y", default: .string("")),
                             Param("width", default: .number(64)), Param("height", default: .number(16)),
                             Param("log_x", default: .bool(false)), Param("colour", default: .bool(false))],
                    doc: """
                        plot(curves, to: nil, title:, x: "", y: "", width: 64, height: 16): line plots in the terminal, \
                        or an SVG file with to: "file.svg". curves: a 1-d tensor or list of numbers (against index), \
                        an [N, 2] tensor (x, y) such as run.curve("val_loss"), a list of those, or a dict of name: curve. \
                        log_x: true puts x on a log scale in the SVG (points with x <= 0 left out); colour: true \
                        colours the terminal curves (ANSI).
                        """) { args in
        let series = try plotSeries(args["curves"])
        let title = args.isNil("title") ? nil : try args.string("title")
        if !args.isNil("to") {
            let path = try args.string("to")
            let svg = Plot.svg(series, title: title, xLabel: try args.string("x"), yLabel: try args.string("y"),
                               logX: try args.bool("log_x"))
            try writeText(svg, to: path)
            host.plotMade?(PlotArtifact(kind: .plot, title: title, svg: svg, printed: nil))
            return .str(path)
        }
        let w = try args.int("width"), h = try args.int("height")
        guard (8...400).contains(w), (4...200).contains(h) else { throw RuntimeError("plot: width must be 8...400 and height 4...200") }
        let drawn = Plot.terminal(series, width: w, height: h, title: title, xLabel: try args.string("x"), yLabel: try args.string("y"),
                                  colour: try args.bool("colour")) + "\n"
        args.interpreter.output(drawn)
        if let made = host.plotMade {
            made(PlotArtifact(kind: .plot, title: title, svg: Plot.svg(series, title: title, xLabel: try args.string("x"), yLabel: try args.string("y"),
                                                                      logX: try args.bool("log_x")), printed: drawn))
        }
        return .nil
    }

    interp.register("hist", [Param("values"), Param("bins", default: .number(20)),
                             Param("title", default: .nil), Param("width", default: .number(50))],
                    doc: "hist(values, bins: 20, title:, width: 50): a histogram of a tensor's finite values (e.g. run.stats.ppl) in the terminal.") { args in
        let v = try floatsArgument(args["values"], op: "hist")
        let bins = try args.int("bins"), width = try args.int("width")
        guard (1...200).contains(bins), (4...400).contains(width) else { throw RuntimeError("hist: bins must be 1...200 and width 4...400") }
        let title = args.isNil("title") ? nil : try args.string("title")
        let drawn = Plot.histogram(v, bins: bins, width: width, title: title) + "\n"
        args.interpreter.output(drawn)
        host.plotMade?(PlotArtifact(kind: .hist, title: title, svg: Plot.histogramSVG(v, bins: bins, title: title), printed: drawn))
        return .nil
    }
}
