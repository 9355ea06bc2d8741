// DataBench: in-process timings of the Data module on a real corpus, for
// scripts/bench-parts/data. Each figure is the median of several runs and is
// printed next to a reference measured in the same run (memcpy of the corpus).
//   lfr-bench data <corpus folder or file>
import Data
import Schedules
import TensorCore
#if canImport(Glibc)
import Glibc
#endif

enum DataBench {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// CPU seconds used by the calling thread (the work, without time spent
    /// waiting for a core on a loaded machine).
    static func cpuNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Median thread-CPU seconds of `runs` calls of `body` (single-threaded work only).
    static func medianCPU(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
        var times = [Double]()
        for _ in 0..<runs {
            let t0 = cpuNow()
            try body()
            times.append(cpuNow() - t0)
        }
        times.sort()
        return times[times.count / 2]
    }

    /// Median seconds of `runs` calls of `body`.
    static func median(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
        var times = [Double]()
        for _ in 0..<runs {
            let t0 = now()
            try body()
            times.append(now() - t0)
        }
        times.sort()
        return times[times.count / 2]
    }

    static func fmt(_ x: Double, _ digits: Int = 1) -> String {
        var s = String(Int((x * pow(10, Double(digits))).rounded()))
        if digits > 0 {
            while s.count <= digits { s = "0" + s }
            s.insert(".", at: s.index(s.endIndex, offsetBy: -digits))
        }
        return s
    }

    static func run(_ args: [String]) {
        do { try measure(args) } catch {
            print("data bench failed: \(error)")
            exit(1)
        }
    }

    static func measure(_ args: [String]) throws {
        let path = args.first ?? "data/shakespeare"
        let corpus = try Corpus.load(path)
        let mb = Double(corpus.byteCount) / 1e6
        print("data: corpus \(path): \(corpus.documents.count) files, \(corpus.byteCount) bytes (\(fmt(mb, 2)) MB)")

        // Reference: copying the corpus bytes once.
        var copy = [UInt8](repeating: 0, count: corpus.byteCount)
        let tCopy = median(9) {
            corpus.bytes.withUnsafeBufferPointer { src in
                copy.withUnsafeMutableBufferPointer { dst in
                    dst.baseAddress!.update(from: src.baseAddress!, count: src.count)
                }
            }
        }
        let copyRate = mb / tCopy
        print("data: memcpy of the corpus (reference)    \(fmt(copyRate, 0)) MB/s")

        var out = [UInt32]()
        out.reserveCapacity(corpus.byteCount)
        func encodeAll(_ tok: any Tokenizer) throws {
            out.removeAll(keepingCapacity: true)
            try corpus.bytes.withUnsafeBufferPointer { try tok.encode($0, into: &out) }
        }
        func rate(_ tok: any Tokenizer, runs: Int) throws -> (Double, Int) {
            let t = try median(runs) { try encodeAll(tok) }
            return (mb / t, out.count)
        }
        /// Thread-CPU MB/s: what the encoder costs when it has a core to itself.
        func cpuRate(_ tok: any Tokenizer, runs: Int) throws -> Double {
            mb / (try medianCPU(runs) { try encodeAll(tok) })
        }
        let bytes = ByteTokenizer()
        let (bytesRate, _) = try rate(bytes, runs: 9)
        let bytesCPU = try cpuRate(bytes, runs: 9)
        print("data: tokenize bytes  \(fmt(bytesRate, 0)) MB/s wall, \(fmt(bytesCPU, 0)) MB/s thread-CPU (goal >= 200; \(fmt(bytesRate / copyRate, 3))x memcpy)")

        var chars: CharTokenizer? = nil
        let tVocab = try median(5) { chars = try CharTokenizer(training: corpus) }
        let (charsRate, _) = try rate(chars!, runs: 9)
        let charsCPU = try cpuRate(chars!, runs: 9)
        print("data: tokenize chars  \(fmt(charsRate, 0)) MB/s wall, \(fmt(charsCPU, 0)) MB/s thread-CPU (goal >= 200; \(fmt(charsRate / copyRate, 3))x memcpy); vocab \(chars!.vocabSize) built in \(fmt(tVocab * 1000, 1)) ms")

        var bpe: BPETokenizer? = nil
        let tTrain = try median(3) { bpe = try BPETokenizer(training: corpus, vocab: 2048) }
        print("data: bpe train to vocab 2048  \(fmt(tTrain, 2)) s (goal < 30; got vocab \(bpe!.vocabSize))")
        let (bpeRate, bpeTokens) = try rate(bpe!, runs: 3)
        let bpeCPU = try cpuRate(bpe!, runs: 3)
        print("data: bpe encode  \(fmt(bpeRate, 1)) MB/s wall, \(fmt(bpeCPU, 1)) MB/s thread-CPU (goal >= 5; \(fmt(Double(corpus.byteCount) / Double(bpeTokens), 2)) bytes/token)")
        // Round trips on the whole corpus (a check, not a timing).
        var exact = [String]()
        for tok in [bytes, chars!, bpe!] as [any Tokenizer] {
            out.removeAll(keepingCapacity: true)
            try corpus.bytes.withUnsafeBufferPointer { try tok.encode($0, into: &out) }
            exact.append("\(tok.kind) \(try tok.decodeBytes(out) == corpus.bytes ? "exact" : "MISMATCH")")
        }
        print("data: round trip of the corpus: \(exact.joined(separator: ", "))")

        // Dataset build and batch filling (context 128, batch 16).
        var data: Dataset? = nil
        let tData = try median(3) { data = try Dataset(corpus: corpus, tokenizer: .bytes, context: 128, val: 0.1, seed: 1) }
        print("data: dataset (bytes, context 128, val 0.1) built in \(fmt(tData * 1000, 1)) ms:")
        for line in data!.description.split(separator: "\n") { print("data:   \(line)") }
        let tBPEData = try median(3) {
            _ = try Dataset(corpus: corpus, tokenizer: .tokenizer(bpe!), context: 128, val: 0.1, seed: 1)
        }
        print("data: dataset (trained bpe 2048, context 128) built in \(fmt(tBPEData * 1000, 1)) ms (\(fmt(mb / tBPEData, 1)) MB/s, documents encoded in parallel)")
        var sampler = try BlockSampler(active: data!.trainIDs, rng: RandomGenerator(seed: 1))
        var batch = [Int32](repeating: 0, count: 16 * data!.blockLength)
        let batches = 20_000
        let tBatch = try median(3) {
            try batch.withUnsafeMutableBufferPointer { dst in
                for _ in 0..<batches {
                    let ids = sampler.next(16)
                    try data!.fillBatch(blockIDs: ids, into: dst.baseAddress!)
                }
            }
        }
        print("data: sample + fillBatch 16x129  \(fmt(tBatch / Double(batches) * 1e6, 2)) us per batch")
    }
}
