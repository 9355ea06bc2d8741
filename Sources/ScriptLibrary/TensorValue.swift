// TensorValue: a TensorCore tensor as a language value — operators,
// indexing and slicing, item assignment, iteration, members and printing.
//
// What stays true here: every operation goes to TensorCore (the interpreter
// never loops over elements); results with no axes become numbers (see
// `wrap`); item assignment is copy-on-write at the storage level, so a view
// or an earlier result never changes when another tensor is written (two
// names bound to the same tensor value do see the write, as for lists);
// `isMask` marks 0/1 tensors made by comparisons or bool lists, which index
// as boolean masks (any other tensor or list of numbers indexes by position);
// `memberNames` is a constant list, cheap for any tensor size.
import Script
import TensorCore

public final class TensorValue: NativeObject {
    /// The tensor (replaced, never mutated in place by others, on item assignment).
    public private(set) var tensor: Tensor
    /// True for 0/1 tensors made by comparisons or bool lists: they index as masks.
    public let isMask: Bool

    public init(_ tensor: Tensor) {
        self.tensor = tensor
        self.isMask = false
    }

    public init(_ tensor: Tensor, isMask: Bool) {
        self.tensor = tensor
        self.isMask = isMask
    }

    public override var typeName: String { "tensor" }
    public override var description: String { tensor.description }
    public override var summary: String { "tensor shape=\(tensor.shape)" }
    /// The storage this tensor keeps alive (a view reports its whole storage).
    public override var memoryBytes: Int? { tensor.storage.count * MemoryLayout<Float>.stride }
    public override var helpText: String { TensorValue.help }
    public override var memberNames: [String] { TensorValue.allMemberNames }

    static let properties = ["shape", "rank", "count", "len", "T", "dtype", "is_mask"]
    static let allMemberNames: [String] = (properties + TensorOps.methodNames).sorted()
    static let help = """
        tensor: an n-dimensional array of 32-bit floats (row-major, any rank), \
        made by tensor([[1, 2], [3, 4]]), zeros, ones, full, arange, linspace, eye, rand, randn. \
        Arithmetic + - * / % ** broadcasts (numbers and lists mix in), @ is the matrix product, \
        < <= > >= give 0/1 mask tensors (== compares whole tensors; use eq/ne for elementwise). \
        Index with a[0], a[-1], a[:, 1:3], a[::2], a[nil] (new axis), a[mask], a[[0, 2]]; assign with \
        a[0, 1] = 5 or a[mask] = 0. Reductions of the whole tensor (a.sum()) give numbers, reductions \
        along an axis (a.sum(axis: 0)) give tensors; any result without axes is a number. \
        Properties: \(properties.joined(separator: ", ")). Methods: \(TensorOps.methodNames.joined(separator: ", ")). \
        help("name") documents each function (e.g. help("sum")).
        """

    // MARK: - Members

    public override func getMember(_ name: String) throws -> Value {
        let t = tensor
        switch name {
        case "shape": return .list(t.shape.map { .number(Double($0)) })
        case "rank": return .number(Double(t.rank))
        case "count": return .number(Double(t.count))
        case "len":
            guard let n = t.shape.first else { throw RuntimeError("len: a 0-d tensor has no length") }
            return .number(Double(n))
        case "T": return try wrap(t.T)
        case "dtype": return .str("float32")
        case "is_mask": return .bool(isMask)
        default:
            if let op = TensorOps.table[name] { return .native(op.method(bound: self)) }
            throw noMember(name)
        }
    }

    // MARK: - Operators

    public override func binary(_ op: BinaryOp, _ other: Value, selfOnLeft: Bool) throws -> Value? {
        let rhs: Tensor
        var otherIsMask = false
        switch other {
        case .object(let o as TensorValue): rhs = o.tensor; otherIsMask = o.isMask
        case .number(let d): rhs = Tensor(scalar: Float(d))
        case .bool(let b): rhs = Tensor(scalar: b ? 1 : 0)
        case .list:
            rhs = try tensorArgument(other, op: op.rawValue)
            otherIsMask = isMaskValue(other)
        default: return nil
        }
        let (l, r) = selfOnLeft ? (tensor, rhs) : (rhs, tensor)
        return try TensorOps.apply(op, l, r, bothMasks: isMask && otherIsMask)
    }

    public override func negate() throws -> Value { try wrap(tensor.neg()) }

    /// `==` compares whole values and gives a bool: a tensor equals a tensor,
    /// a (nested) list or a number (a 0-d tensor) of the same shape and the
    /// same elements. Elementwise comparison is `t.eq(x)`, a mask.
    public override func isEqual(to other: Value) -> Bool {
        let rhs: Tensor
        switch other {
        case .object(let o as TensorValue):
            if o === self { return true }
            rhs = o.tensor
        case .number(let d): rhs = Tensor(scalar: Float(d))
        case .list:
            guard let t = try? tensorArgument(other, op: "==") else { return false }
            rhs = t
        default: return false
        }
        guard rhs.shape == tensor.shape else { return false }
        return tensor.toArray() == rhs.toArray()
    }

    /// An indexing step of the core, its out-of-range error worded for an index.
    private func indexing<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch TensorError.indexOutOfRange(op: "index", let index, let axis, let size) {
            throw RuntimeError("index \(index) out of range for axis \(axis) of size \(size)")
        } catch { return try translatingErrors { throw error } }
    }

    /// A one-element tensor is true when nonzero; a larger one when it has elements.
    public override var isTruthy: Bool {
        let t = tensor
        if t.count == 1 { return t.contiguous().storage.pointer[t.contiguous().offset] != 0 }
        return t.count > 0
    }

    // MARK: - Iteration

    public override func iterationCount() throws -> Int? {
        guard let n = tensor.shape.first else { throw RuntimeError("cannot iterate over a 0-d tensor") }
        return n
    }

    public override func iterationElement(_ i: Int) throws -> Value {
        try wrap(try translatingErrors { try tensor.slice([.index(i)]) })
    }

    public override func length() throws -> Int? {
        guard let n = tensor.shape.first else { throw RuntimeError("len: a 0-d tensor has no length") }
        return n
    }

    // MARK: - Indexing

    /// How an index list is applied: basic indices, plus at most one
    /// position list/tensor (at `position`) or one mask (alone).
    enum IndexPlan {
        case basic([TensorIndex])
        case mask(Tensor)
        /// `item` is the position in `basic` of the `.all` standing for the list.
        case take(basic: [TensorIndex], indices: Tensor, axis: Int, item: Int)
    }

    func selection(_ items: [IndexArgument]) throws -> IndexPlan {
        var basic: [TensorIndex] = []
        var taken: (Tensor, Int, Int)? = nil
        var outputAxis = 0   // axis of the result the next item lands on
        for item in items {
            switch item {
            case .int(let i): basic.append(.index(i))
            case .slice(let s, let e, let st):
                if st == 0 { throw RuntimeError("slice step cannot be zero") }
                basic.append(.range(s, e, st)); outputAxis += 1
            case .value(let v):
                if isMaskValue(v) {
                    guard items.count == 1 else {
                        throw RuntimeError("a mask must be the only index: a[mask], not a[mask, ...]")
                    }
                    return .mask(try tensorArgument(v, op: "index"))
                }
                switch v {
                case .nil: basic.append(.newAxis); outputAxis += 1
                case .object(let o as TensorValue):
                    guard taken == nil else { throw RuntimeError("only one index list or tensor is allowed per index") }
                    taken = (o.tensor, outputAxis, basic.count)
                    basic.append(.all); outputAxis += 1
                case .list:
                    guard taken == nil else { throw RuntimeError("only one index list or tensor is allowed per index") }
                    taken = (try tensorArgument(v, op: "index"), outputAxis, basic.count)
                    basic.append(.all); outputAxis += 1
                default:
                    throw RuntimeError("a tensor index must be an integer, a slice, nil, a list or a tensor, got \(Script.typeName(v))")
                }
            }
        }
        if let (idx, axis, item) = taken { return .take(basic: basic, indices: idx, axis: axis, item: item) }
        return .basic(basic)
    }

    public override func getIndex(_ items: [IndexArgument]) throws -> Value {
        let t = tensor
        switch try selection(items) {
        case .basic(let idx): return try wrap(try indexing { try t.slice(idx) })
        case .mask(let m): return try wrap(try translatingErrors { try t.masked(m) })
        case .take(let idx, let ids, let axis, _):
            let v = try translatingErrors { try t.slice(idx) }
            return try wrap(try translatingErrors { try v.take(ids, axis: axis) })
        }
    }

    public override func setIndex(_ items: [IndexArgument], _ value: Value) throws {
        let source = try tensorArgument(value, op: "item assignment")
        switch try selection(items) {
        case .basic(let idx):
            try indexing { try tensor.assign(idx, source) }
        case .mask(let m):
            try translatingErrors { try tensor.assign(mask: m, source) }
        case .take(let idx, let ids, let axis, let item):
            // Each listed position along `axis` of the basic selection gets
            // its row of the value (the value broadcasts to [k] + row shape).
            let view = try translatingErrors { try tensor.slice(idx) }
            let positions = try translatingErrors { try Tensor.arange(view.shape[axis]).take(ids) }.toArray().map { Int($0) }
            var rowShape = view.shape
            rowShape.remove(at: axis)
            let rows = try translatingErrors { try source.expand(to: [positions.count] + rowShape) }
            for (k, p) in positions.enumerated() {
                var at = idx
                at[item] = .index(p)
                let row = try translatingErrors { try rows.slice([.index(k)]) }
                try translatingErrors { try tensor.assign(at, row) }
            }
        }
    }
}
