// Policies: the bridge between a policy written in the language and the
// trainer's block selection.
//
// What stays true here: a policy receives a stats value (one entry per
// training block) and returns a tensor or list with one entry per training
// block: a mask (the result of a comparison such as `stats.ppl > q`, or a
// list of bools) keeps blocks; any other numbers are sampling weights
// (`weights(t)` forces weights for a 0/1 tensor). A policy's error becomes
// the trainer's policy error, naming the phase.
import Schedules
import Script

/// Wraps a policy function written in the language as a Selection.
public func policySelection(_ fn: Value, name: String, interpreter: Interpreter) -> Selection {
    .policy(name: name) { input in
        let stats = StatsValue(input.stats, blockIDs: input.blockIDs, step: input.step, phaseIndex: input.phaseIndex)
        let result: Value
        do {
            result = try interpreter.call(fn, [.object(stats)])
        } catch let e as ScriptError {
            throw ScheduleError.policy(phase: input.phaseName, message: e.message)
        } catch let e as RuntimeError {
            throw ScheduleError.policy(phase: input.phaseName, message: e.message)
        }
        return try policyResult(result, phase: input.phaseName)
    }
}

/// Reads what a policy returned (see the file header).
func policyResult(_ v: Value, phase: String) throws -> PolicyResult {
    switch v {
    case .object(let o):
        if let w = o as? WeightsValue { return .weights(w.weights) }
        if let t = o as? TensorValue {
            guard t.tensor.rank == 1 else {
                throw ScheduleError.policy(phase: phase, message: "returned a tensor of shape \(t.tensor.shape); expected one value per block (1-d)")
            }
            let values = t.tensor.toArray()
            // A comparison's result (a mask tensor) keeps blocks; any other
            // tensor holds sampling weights.
            if t.isMask { return .mask(values.map { $0 != 0 }) }
            return .weights(values)
        }
    case .list(let l):
        if l.items.allSatisfy({ if case .bool = $0 { return true }; return false }) {
            return .mask(l.items.map { $0.isTruthy })
        }
        var w: [Float] = []
        for x in l.items {
            guard case .number(let d) = x else {
                throw ScheduleError.policy(phase: phase, message: "returned a list holding a \(typeName(x)); expected bools or numbers")
            }
            w.append(Float(d))
        }
        return .weights(w)
    default: break
    }
    throw ScheduleError.policy(phase: phase, message: "returned a \(typeName(v)); expected a mask or weights tensor with one entry per block")
}

func policyName(_ fn: Value) -> String {
    if case .native(let n) = fn { return n.name }
    return "fn"
}
