// FuzzTests: random tensor expressions (ops, shapes, indices, arguments of
// every kind) run through the bindings; each must give a value or a clean
// error, never a trap. Seeded, so a failure is reproducible.
import Testing
import Script
import TensorCore
@testable import ScriptLibrary

@Test func randomTensorExpressionsNeverTrap() throws {
    let interp = try Interpreter(loadPrelude: false)
    interp.output = { _ in }
    try ScriptLibrary.install(into: interp)
    interp.stepBudget = 100_000
    try interp.evaluate("""
        let a = arange(12).reshape([3, 4]); let v = tensor([3, -1, 2, 0]); let s = tensor(2)
        let e = zeros([0, 3]); let m = a > 5; let big = ones([2, 3, 4])
        """)
    var rng = RandomGenerator(seed: 42)
    let operands = ["a", "v", "s", "e", "m", "big", "1", "-2", "0", "[1, 2]", "[[1], [2]]", "nil", "\"x\"", "[]", "[true, false, true]", "3.5", "1e300"]
    let binary = ["+", "-", "*", "/", "%", "**", "@", "<", ">=", "==", "!="]
    let methods = ["sum", "mean", "max", "min", "argmax", "variance", "std", "softmax", "log_softmax", "cumsum", "reshape",
                   "transpose", "permute", "squeeze", "unsqueeze", "flatten", "expand", "sort", "argsort", "topk", "quantile",
                   "gather", "take", "clamp", "item", "tolist", "round", "pow", "logsumexp", "any", "all", "copy", "eq"]
    let args = ["", "0", "-1", "5", "1, 2", "axis: 0", "axis: 7", "axis: -3", "keepdims: true", "[2, -1]", "[0]", "[[0, 1, 2]]",
                "0.5", "2, axis: 0", "min: 1", "[1, 0]", "100000000000", "-100000000000", "nil", "\"a\""]
    let indices = ["0", "-1", "5", "1:3", "::2", "::-1", ":, 0", "nil", "m", "[0, 2]", "[1, 1, 1]", "v > 0", "0, 0, 0", "1:0", "[true]", "::0"]
    func pick(_ xs: [String]) -> String { xs[rng.nextInt(below: xs.count)] }
    var errors = 0, values = 0
    for _ in 0..<1500 {
        let expr: String
        switch rng.nextInt(below: 5) {
        case 0: expr = "\(pick(operands)) \(pick(binary)) \(pick(operands))"
        case 1: expr = "\(pick(["a", "v", "s", "e", "m", "big"])).\(pick(methods))(\(pick(args)))"
        case 2: expr = "\(pick(["a", "v", "e", "big", "m"]))[\(pick(indices))]"
        case 3: expr = "var t = \(pick(["a", "v", "big"])).copy(); t[\(pick(indices))] = \(pick(operands)); t"
        default: expr = "\(pick(["where", "concat", "stack", "maximum", "tensor", "zeros", "randn", "linspace", "eye"]))(\(pick(operands)), \(pick(args)))"
        }
        do { _ = try interp.evaluate(expr); values += 1 } catch is ScriptError { errors += 1 }
    }
    #expect(values > 100 && errors > 100)
}
