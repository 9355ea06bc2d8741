// JSON+Encoding: compact JSON text from a JSONValue (configs, metric lines).
// Non-finite doubles become null, since JSON has no NaN or infinity.

extension JSONValue {
    /// Compact JSON text (object members in their stored order).
    public var encoded: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let x):
            guard x.isFinite else { return "null" }
            if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
            return "\(x)"
        case .string(let s): return JSONValue.quote(s)
        case .array(let a): return "[" + a.map(\.encoded).joined(separator: ",") + "]"
        case .object(let o): return "{" + o.map { JSONValue.quote($0.0) + ":" + $0.1.encoded }.joined(separator: ",") + "}"
        }
    }

    /// A number: `.int` when integral and exact, `.double` otherwise.
    public static func number(_ x: Double) -> JSONValue {
        if x.isFinite && x == x.rounded() && abs(x) < 9e15 { return .int(Int(x)) }
        return .double(x)
    }
}
