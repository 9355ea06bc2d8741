// lfr-bench: the in-process half of scripts/bench (kernels timed in Swift).
import TensorCore

let benchArgs = Array(CommandLine.arguments.dropFirst())
switch benchArgs.first {
case "models":
    do { try ModelsBench.run(Array(benchArgs.dropFirst())) } catch { print("lfr-bench models: \(error)") }
default:
    print("lfr-bench: BLAS \(BLAS.configuration)")
}
