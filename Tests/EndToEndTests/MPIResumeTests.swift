// MPIResumeTests: a run saved by `mpirun -np 2 lfr-repl` resumes on 4 ranks
// and on one process. On one process it keeps the 2 ranks' gradient groups,
// so it ends bit-identically where the uninterrupted one-process run with the
// same accumulation (`gradient_groups: 2`) and the uninterrupted 2-rank run
// end. On 4 ranks MPI adds the rank sums in its own order: it ends there to
// rounding (relative 1e-5).
import Foundation
import Testing

private let common = """
let d = dataset(tensor(range(0, 3001)) * 7 % 23, context: 8, vocab: 23, val: 0.1, seed: 1)
let s = schedule([learn(steps: 16), focus(steps: 8, drop: 0.5), review(steps: 8)])
fn report(r) {
    print("step", r.step)
    print("losses", r.curve("train_loss")[:, 1].tolist())
    print("val", r.val_loss)
}
"""

/// The numbers of the `losses` and `val` lines of a script's output.
private func figures(_ out: String) -> [Double] {
    out.split(separator: "\n").filter { $0.hasPrefix("losses") || $0.hasPrefix("val") }
        .flatMap { $0.split(whereSeparator: { " [],".contains($0) }).compactMap { Double($0) } }
}

@Suite("runs across process counts")
struct MPIResumeTests {
    @Test("saved on 2 ranks, resumed on 1 process: the uninterrupted run to the bit; resumed on 4 ranks: to 1e-5")
    func saveOnTwoResumeOnFourAndOne() throws {
        let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let mpirun else {
            Issue.record("mpirun not found: scripts/setup installs openmpi-bin"); return
        }
        let box = try Sandbox(); defer { box.cleanup() }
        let train = "let m = gpt(layers: 1, heads: 2, dim: 16, context: 8, vocab: 23, seed: 1)\n"
            + "let r = train(m, d, s, batch: 8, micro_batches: 4, eval_every: 8, eval_blocks: nil, quiet: true"
        let full = try box.write("full.lfr", common + "\n" + train + ", gradient_groups: 2)\nreport(r)\n")
        let part = try box.write("part.lfr", common + "\n" + train + ", pause_at: 12)\nprint(\"paused at\", r.step)\nr.save(\"half.run\")\n")
        let resume = try box.write("resume.lfr", common + "\nlet r = load_run(\"half.run\", d, s, quiet: true)\nr.resume()\nreport(r)\n")
        let env = box.environment(["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
                                   "OMPI_MCA_rmaps_base_oversubscribe": "1"])
        func mpi(_ ranks: Int, _ script: String) throws -> RunResult {
            try runProcess(mpirun, ["--oversubscribe", "-np", "\(ranks)", LfrBinary.path, script],
                           env: env, cwd: box.dir, timeout: 240)
        }
        let reference = try runProcess(LfrBinary.path, [full], env: env, cwd: box.dir, timeout: 120)
        #expect(reference.status == 0, "\(reference.stderr)")
        let saved = try mpi(2, part)
        #expect(saved.status == 0, "\(saved.stderr)")
        #expect(saved.stdout.contains("paused at 12"), "\(saved.stdout)")
        let onFour = try mpi(4, resume)
        #expect(onFour.status == 0, "\(onFour.stderr)")
        let alone = try runProcess(LfrBinary.path, [resume], env: env, cwd: box.dir, timeout: 120)
        #expect(alone.status == 0, "\(alone.stderr)")

        let onTwo = try mpi(2, full)
        #expect(onTwo.status == 0, "\(onTwo.stderr)")
        // Bit-identical: the printed float32 losses and the val loss, digit for digit.
        #expect(alone.stdout == reference.stdout, "resumed on 1 process:\n\(alone.stdout)\nuninterrupted:\n\(reference.stdout)")
        #expect(onTwo.stdout == reference.stdout, "2 ranks:\n\(onTwo.stdout)\n1 process:\n\(reference.stdout)")
        let want = figures(reference.stdout)
        #expect(want.count == 33, "32 training losses and the val loss:\n\(reference.stdout)")
        for (name, result) in [("4 ranks", onFour), ("1 process", alone)] {
            #expect(result.stdout.contains("step 32"), "\(name): \(result.stdout)")
            let got = figures(result.stdout)
            #expect(got.count == want.count, "\(name): \(result.stdout)")
            let worst = zip(got, want).map { abs($0 - $1) / abs($1) }.max() ?? .infinity
            #expect(worst < 1e-5, "\(name): largest relative difference \(worst)\n\(result.stdout)\nwant:\n\(reference.stdout)")
        }
    }
}
