// ConversionTests: the Value <-> Tensor conversions, copy-on-write item
// assignment, cheap member lists, and the doc string of every binding.
import Testing
import Script
import TensorCore
@testable import ScriptLibrary

private func interpreter() throws -> Interpreter {
    let i = try Interpreter(loadPrelude: false)
    i.output = { _ in }
    try ScriptLibrary.install(into: i)
    return i
}

private func tensor(_ v: Value) -> Tensor? {
    if case .object(let o as TensorValue) = v { return o.tensor }
    return nil
}

@Test func tensorArgumentAcceptsNumbersListsAndTensors() throws {
    let n = try tensorArgument(.number(2.5), op: "t")
    #expect(n.shape == [] && n.toArray() == [2.5])
    let b = try tensorArgument(.bool(true), op: "t")
    #expect(b.toArray() == [1])
    let flat = try tensorArgument(.list([.number(1), .number(2), .number(3)]), op: "t")
    #expect(flat.shape == [3] && flat.toArray() == [1, 2, 3])
    let nested = try tensorArgument(.list([.list([.number(1), .number(2)]), .list([.number(3), .number(4)])]), op: "t")
    #expect(nested.shape == [2, 2] && nested.toArray() == [1, 2, 3, 4])
    let t = try Tensor(shape: [2], values: [7, 8])
    let same = try tensorArgument(.object(TensorValue(t)), op: "t")
    #expect(same.storage === t.storage)
    let stacked = try tensorArgument(.list([.object(TensorValue(t)), .object(TensorValue(t))]), op: "t")
    #expect(stacked.shape == [2, 2] && stacked.toArray() == [7, 8, 7, 8])
    #expect(try floatsArgument(.list([.list([.number(1)]), .list([.number(2)])]), op: "t") == [1, 2])
}

@Test func tensorArgumentRejectsOtherValuesWithTheOpName() {
    #expect(throws: RuntimeError.self) { try tensorArgument(.str("x"), op: "f") }
    do { _ = try tensorArgument(.str("x"), op: "f"); Issue.record("no error") } catch let e as RuntimeError {
        #expect(e.message.hasPrefix("f: expected a tensor"))
    } catch { Issue.record("wrong error \(error)") }
    // A list that contains itself is an error, not a stack overflow.
    let l = ListObject([.number(1)])
    let outer = ListObject([.list(l)])
    l.items = [.list(outer)]
    #expect(throws: RuntimeError.self) { try tensorArgument(.list(outer), op: "f") }
}

@Test func zeroDResultsBecomeNumbersAndTensorsRoundTripThroughLists() throws {
    #expect(try { if case .number(3) = try wrap(Tensor(scalar: 3)) { return true }; return false }())
    let t = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
    let back = try tensorArgument(tensorToList(t), op: "t")
    #expect(back.shape == [2, 3] && back.toArray() == t.toArray())
}

@Test func itemAssignmentNeverChangesViewsOrEarlierResults() throws {
    let i = try interpreter()
    try i.evaluate("var a = zeros([2, 2]); let row = a[0]; let t = a.T; a[0, 1] = 5")
    #expect(tensor(i.global("a")!)?.toArray() == [0, 5, 0, 0])
    #expect(tensor(i.global("row")!)?.toArray() == [0, 0])
    #expect(tensor(i.global("t")!)?.toArray() == [0, 0, 0, 0])
}

@Test func memberNamesAreCheapForHugeTensors() throws {
    // A broadcast view of 10^12 elements: listing members must not touch them.
    let huge = try Tensor(scalar: 1).expand(to: [1_000_000, 1_000_000])
    let v = TensorValue(huge)
    #expect(v.memberNames.contains("sum") && v.memberNames.contains("shape"))
    #expect(v.summary == "tensor shape=[1000000, 1000000]")
    #expect(v.description.hasSuffix("shape=[1000000, 1000000])"))
}

@Test func everyBindingHasADocString() throws {
    let i = try interpreter()
    var count = 0
    for name in i.globalNameList {
        guard case .native(let f)? = i.global(name) else { continue }
        #expect(f.doc.count > 20, "\(name) has no real doc string")
        count += 1
    }
    #expect(count > 80)
    for name in ["tensor", "randn", "sum", "gpt", "adamw", "dataset", "corpus", "save", "load", "where", "exp"] {
        #expect(i.helpText(for: name) != nil, "help(\(name))")
    }
    let values: [NativeObject] = [TensorValue(Tensor(scalar: 1))]
    for v in values { #expect(v.helpText.count > 100) }
}

@Test func builtinsKeepWorkingOnNumbersAndLists() throws {
    let i = try interpreter()
    #expect(valuesEqual(try i.evaluate("sqrt(16)"), .number(4)))
    #expect(valuesEqual(try i.evaluate("round(2.5)"), .number(3)))
    #expect(valuesEqual(try i.evaluate("max(1, 7, 3)"), .number(7)))
    #expect(valuesEqual(try i.evaluate("min([4, 2])"), .number(2)))
    #expect(valuesEqual(try i.evaluate("sort([3, 1, 2], reverse: true)"), .list([.number(3), .number(2), .number(1)])))
    #expect(valuesEqual(try i.evaluate("let xs = [1, [2]]; let ys = copy(xs); ys.push(3); len(xs)"), .number(2)))
    #expect(valuesEqual(try i.evaluate("let t = ones(2); let u = copy(t); u[0] = 5; t[0]"), .number(1)))
}

@Test func sessionGeneratorIsReproducibleAcrossInterpreters() throws {
    let a = try interpreter(), b = try interpreter()
    let x = try a.evaluate("rand([5])"), y = try b.evaluate("rand([5])")
    #expect(tensor(x)?.toArray() == tensor(y)?.toArray())
    #expect(tensor(x)?.toArray() != tensor(try a.evaluate("rand([5])"))?.toArray())
}
