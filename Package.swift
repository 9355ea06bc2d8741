// swift-tools-version:6.0
// lfr: a scripting environment for studying how language models learn from their data.
// The module arrows point one way (see DESIGN.md section 1):
//   TensorCore <- Models, Data <- Schedules <- ScriptLibrary -> Script, Cluster
//   lfr-repl -> ScriptLibrary, Script, CReadline
//   (TensorCore and Script share one C leaf, CInterrupt: the interrupt flag)
import PackageDescription

// Swift 5 language mode: the kernels hand raw buffer pointers to
// DispatchQueue.concurrentPerform workers, which Swift 6's strict
// concurrency checking rejects without a wrapper at every call site.
let languageMode: [SwiftLanguageMode] = [.v5]

let package = Package(
    name: "lfr",
    products: [
        .executable(name: "lfr-repl", targets: ["lfr-repl"]),
        .executable(name: "lfr-bench", targets: ["lfr-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // OpenBLAS, opened with dlopen on the first matrix product (so
        // processes that never multiply do not start its thread pool).
        .target(name: "CBLAS",
                linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("pthread")]),
        // Open MPI, opened with dlopen only in processes that mpirun started
        // (so the binary runs as one process on a machine without MPI).
        .target(name: "CMPI", linkerSettings: [.linkedLibrary("dl")]),
        // The processes of one job and their collectives (one process: identity).
        // Not "Distributed": the toolchain ships a module of that name.
        .target(name: "Cluster", dependencies: ["CMPI"]),
        // System library (headers and link name only).
        .systemLibrary(name: "CReadline", path: "Sources/CReadline"),

        // The process's one interrupt flag, polled by the core and the VM.
        .target(name: "CInterrupt"),

        // The numeric core and the machine-learning modules.
        // The models' non-GEMM kernels and the tensors' vector exp in C,
        // built for x86-64, AVX2+FMA and (elementwise) AVX-512, picked at run
        // time (Sources/CKernels/include/lfr_kernels.h). A C leaf like CBLAS.
        .target(name: "CKernels"),
        .target(name: "TensorCore", dependencies: ["CBLAS", "CInterrupt", "CKernels"]),
        .target(name: "Models", dependencies: ["TensorCore", "CKernels"]),
        .target(name: "Data", dependencies: ["TensorCore"]),
        .target(name: "Schedules", dependencies: ["Models", "Data", "TensorCore"]),

        // The language, which knows nothing about machine learning.
        .target(name: "Script", dependencies: ["CInterrupt"]),
        // The only place where the language and the ML modules meet.
        .target(name: "ScriptLibrary",
                dependencies: ["Script", "TensorCore", "Models", "Data", "Schedules", "Cluster"]),

        // Executables.
        .executableTarget(name: "lfr-repl", dependencies: [
            "ScriptLibrary", "Script", "CReadline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "lfr-bench", dependencies: [
            "TensorCore", "Models", "Data", "Schedules", "Script", "ScriptLibrary",
        ]),

        // Tests: unit tests per module, golden scripts, end-to-end runs of lfr-repl.
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "CBLAS", "CKernels"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "TensorCore", "CKernels"]),
        .testTarget(name: "DataTests", dependencies: ["Data", "TensorCore"]),
        .testTarget(name: "SchedulesTests", dependencies: ["Schedules", "Models", "Data", "TensorCore"]),
        // The one golden-script runner and dialect both golden suites use.
        .target(name: "GoldenSupport", dependencies: ["Script"], path: "Tests/GoldenSupport"),
        .testTarget(name: "ScriptTests", dependencies: ["Script", "GoldenSupport"], exclude: ["Cases"]),
        .testTarget(name: "ScriptLibraryTests", dependencies: ["ScriptLibrary", "Script", "TensorCore", "GoldenSupport"],
                    exclude: ["Cases"]),
        .testTarget(name: "EndToEndTests", dependencies: ["lfr-repl"]),
        // Run under mpirun by scripts/test (as one process they test the single world).
        .testTarget(name: "ClusterTests",
                    dependencies: ["Cluster", "Schedules", "ScriptLibrary", "Script", "Models", "Data", "TensorCore"]),
    ],
    swiftLanguageModes: languageMode
)

// libFuzzer targets (Fuzz/), only when LFR_FUZZ is set: scripts/fuzz builds
// them with AddressSanitizer and coverage in their own build folder, so the
// default `swift build` and `swift test` never see them.
if Context.environment["LFR_FUZZ"] != nil {
    let libraries: [Target.Dependency] = ["TensorCore", "Models", "Data", "Schedules", "Script", "ScriptLibrary"]
    package.targets += [
        .target(name: "CFuzz", path: "Fuzz/CFuzz"),
        .target(name: "FuzzSupport", dependencies: ["CFuzz"] + libraries, path: "Fuzz/Support"),
    ]
    for name in ["safetensors", "runfile", "tokenizer", "tokenbin", "language"] {
        package.targets.append(.executableTarget(name: "fuzz-\(name)", dependencies: ["FuzzSupport"] + libraries,
                                                 path: "Fuzz/Targets/\(name)"))
    }
}
