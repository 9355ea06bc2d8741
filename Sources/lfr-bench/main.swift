// lfr-bench: the in-process half of scripts/bench (kernels timed in Swift).
// `lfr-bench AREA [ARGS...]` runs one area's measurements; each area lives
// in its own file (TensorBench, DataBench, ModelsBench, ...).
import TensorCore
import Models
#if canImport(Glibc)
import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
let area = arguments.first ?? ""
let rest = Array(arguments.dropFirst())
print("lfr-bench: BLAS \(BLAS.configuration); model kernels \(ModelKernels.instructionSet)")
do {
    switch area {
    case "tensor": try TensorBench.run(rest)
    case "data": DataBench.run(rest)
    case "models": try ModelsBench.run(rest)
    case "schedules": try SchedulesBench.run(rest)
    default:
        print("usage: lfr-bench tensor|data|models|schedules [args...]")
        exit(2)
    }
} catch {
    print("lfr-bench: \(error)")
    exit(1)
}
