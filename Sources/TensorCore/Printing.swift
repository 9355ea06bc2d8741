// Printing: tensors as PyTorch prints them, plus the shape.
//
//   tensor([[ 0.1235, -1.0000],
//           [ 3.0000,  4.5000]], shape=[2, 3])
//
// What stays true here: formatting reads only the elements it shows. Above
// `threshold` elements (default 1000) every axis longer than 2 * edgeItems
// shows its first and last `edgeItems` (default 3) around "...", so printing
// a 100-million-element tensor reads a few hundred elements and allocates
// nothing proportional to it. One number format is chosen for the whole
// tensor from the shown finite values, much as PyTorch does: all integral
// -> "3." style (scientific only from 1e8 on, where PyTorch also switches
// for a ratio > 1000); otherwise fixed with `precision` decimals, or
// scientific ("1.2346e+05") when the largest magnitude is >= 1e8, the
// smallest nonzero one < 1e-4, or their ratio > 1000. Columns are
// right-aligned to one width; long rows wrap at `lineWidth` characters.
#if canImport(Glibc)
import Glibc
#endif

/// Options for `Tensor.formatted`.
public struct PrintOptions: Sendable {
    public var precision = 4
    public var threshold = 1000
    public var edgeItems = 3
    public var lineWidth = 80
    public var showShape = true
    public init() {}
}

extension Tensor: CustomStringConvertible {
    public var description: String { formatted() }

    /// The printed form (see the file header).
    public func formatted(_ options: PrintOptions = PrintOptions()) -> String {
        let prefix = "tensor("
        let shapeText = options.showShape ? ", shape=\(shape)" : ""
        if count == 0 { return prefix + "[]" + shapeText + ")" }
        let summarize = count > options.threshold
        let edge = Swift.max(options.edgeItems, 1)

        // Indices shown along each axis; -1 marks the "..." gap.
        let shown: [[Int]] = shape.map { n in
            summarize && n > 2 * edge ? Array(0..<edge) + [-1] + Array((n - edge)..<n) : Array(0..<n)
        }
        // Gather the shown values (row-major over the shown indices).
        var values: [Float] = []
        func gather(_ axis: Int, _ off: Int) {
            if axis == rank { values.append(storage.pointer[off]); return }
            for i in shown[axis] where i >= 0 { gather(axis + 1, off + i * strides[axis]) }
        }
        withExtendedLifetime(self) { gather(0, offset) }

        let format = NumberFormat(values, precision: options.precision)
        let texts = values.map { format.text($0) }
        let width = texts.reduce(0) { Swift.max($0, $1.count) }
        var next = 0
        func render(_ axis: Int, indent: Int) -> String {
            if axis == rank {
                let t = texts[next]; next += 1
                return String(repeating: " ", count: width - t.count) + t
            }
            let items = shown[axis].map { i -> String in
                if i >= 0 { return render(axis + 1, indent: indent + 1) }
                return axis == rank - 1 ? String(repeating: " ", count: Swift.max(0, width - 3)) + "..." : "..." 
            }
            if axis == rank - 1 {
                // Wrap the innermost row at the line width.
                let perLine = Swift.max(1, (options.lineWidth - indent) / (width + 2))
                var lines: [String] = []
                var i = 0
                while i < items.count {
                    lines.append(items[i..<Swift.min(i + perLine, items.count)].joined(separator: ", "))
                    i += perLine
                }
                return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
            }
            let separator = "," + String(repeating: "\n", count: rank - axis - 1)
                + String(repeating: " ", count: indent + 1)
            return "[" + items.joined(separator: separator) + "]"
        }
        return prefix + render(0, indent: prefix.count) + shapeText + ")"
    }
}

/// The one number format of a printed tensor.
struct NumberFormat {
    enum Mode { case integral, fixed, scientific }
    let mode: Mode
    let precision: Int

    init(_ values: [Float], precision: Int) {
        self.precision = Swift.max(0, Swift.min(precision, 12))
        let finite = values.filter { $0.isFinite }.map { Swift.abs(Double($0)) }
        let nonzero = finite.filter { $0 != 0 }
        let integral = finite.allSatisfy { $0 == $0.rounded() }
        let maxAbs = nonzero.max() ?? 0, minAbs = nonzero.min() ?? 0
        if integral {
            mode = maxAbs >= 1e8 ? .scientific : .integral
        } else if maxAbs >= 1e8 || minAbs < 1e-4 && minAbs > 0 || (minAbs > 0 && maxAbs / minAbs > 1000) {
            mode = .scientific
        } else {
            mode = .fixed
        }
    }

    func text(_ v: Float) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        let d = Double(v)
        switch mode {
        case .integral: return (d < 0 || (d == 0 && v.sign == .minus) ? "-" : "") + String(Int64(Swift.abs(d))) + "."
        case .fixed: return NumberFormat.fixed(d, precision)
        case .scientific: return NumberFormat.scientific(d, precision)
        }
    }

    /// `v` with exactly `p` decimals (|v| < 1e8 here, so the digits fit in Int64).
    static func fixed(_ v: Double, _ p: Int) -> String {
        let scale = pow(10.0, Double(p))
        let r = (Swift.abs(v) * scale).rounded(.toNearestOrEven)   // as printf rounds
        guard r < 9e18 else { return scientific(v, p) }
        let digits = Int64(r)
        let whole = digits / Int64(scale), frac = digits % Int64(scale)
        var fracText = String(frac)
        fracText = String(repeating: "0", count: p - fracText.count) + fracText
        return (v < 0 ? "-" : "") + String(whole) + (p > 0 ? "." + fracText : "")
    }

    /// `v` as m.mmmme+XX with `p` decimals in the mantissa.
    static func scientific(_ v: Double, _ p: Int) -> String {
        if v == 0 { return fixed(0, p) + "e+00" }
        var e = Int(log10(Swift.abs(v)).rounded(.down))
        var m = Swift.abs(v) / pow(10.0, Double(e))
        let scale = pow(10.0, Double(p))
        m = (m * scale).rounded(.toNearestOrEven) / scale
        if m >= 10 { m /= 10; e += 1 }
        if m < 1 { m *= 10; e -= 1 }
        let exponent = String(Swift.abs(e))
        return (v < 0 ? "-" : "") + fixed(m, p) + "e" + (e < 0 ? "-" : "+")
            + (exponent.count < 2 ? "0" : "") + exponent
    }
}
