// lfr-bench: the in-process half of scripts/bench (kernels timed in Swift).
import TensorCore
print("lfr-bench: BLAS \(BLAS.configuration)")
if CommandLine.arguments.dropFirst().first == "tensor" {
    try TensorBench.run(Array(CommandLine.arguments.dropFirst(2)))
}
