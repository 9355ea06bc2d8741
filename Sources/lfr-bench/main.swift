// lfr-bench: the in-process half of scripts/bench (kernels timed in Swift).
import TensorCore
print("lfr-bench: BLAS \(BLAS.configuration)")
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "data" { DataBench.run(Array(CommandLine.arguments.dropFirst(2))) }
