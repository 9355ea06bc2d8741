// RunFolder: the files a run leaves behind (DESIGN.md section 3).
//
//   <out>/script.lfr      the script that started the run (when known)
//   <out>/config.json     model, data, schedule and trainer settings
//   <out>/metrics.jsonl   one JSON object per logged step, appended and
//                         flushed as it happens (a crash loses at most the
//                         line being written)
//   <out>/blocks.csv      per-block statistics, rewritten atomically at each
//                         checkpoint and at the end
//   <out>/checkpoint.*    model, optimizer and run state (written by the
//                         trainer through atomic renames)
import Foundation
import TensorCore

/// Writes a run's folder. All methods throw ScheduleError.io naming the path.
public final class RunFolder {
    public let path: String
    private var metrics: FileHandle?

    /// Creates (or reuses, when resuming) the folder.
    public init(path: String) throws {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ScheduleError.io(path: path, message: "cannot create run folder: \(error.localizedDescription)")
        }
    }

    deinit { try? metrics?.close() }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Writes a whole file atomically (temporary file + rename).
    public static func writeAtomically(_ text: String, to path: String) throws {
        do { try AtomicFile.write(Array(text.utf8), to: path) } catch let e as TensorError {
            throw ScheduleError.io(path: path, message: "cannot write: \(e)")
        }
    }

    public func writeScript(_ source: String) throws { try RunFolder.writeAtomically(source, to: file("script.lfr")) }

    public func writeConfig(_ config: JSONValue) throws {
        try RunFolder.writeAtomically(config.encoded + "\n", to: file("config.json"))
    }

    /// Appends one metrics line and flushes it to the file.
    public func appendMetrics(_ line: JSONValue) throws {
        let p = file("metrics.jsonl")
        if metrics == nil {
            if !FileManager.default.fileExists(atPath: p) {
                _ = FileManager.default.createFile(atPath: p, contents: nil)   // a failure shows at the open below
            }
            guard let h = FileHandle(forWritingAtPath: p) else {
                throw ScheduleError.io(path: p, message: "cannot open for appending")
            }
            h.seekToEndOfFile()
            metrics = h
        }
        do {
            try metrics!.write(contentsOf: Data((line.encoded + "\n").utf8))
            try metrics!.synchronize()
        } catch {
            throw ScheduleError.io(path: p, message: "cannot append: \(error.localizedDescription)")
        }
    }

    /// Per-block statistics as CSV (one row per block id).
    public static func blocksCSV(_ s: BlockStatistics) -> String {
        var out = "block,loss,ppl,mean_loss,first_loss,best_loss,seen,last_step,forgets\n"
        out.reserveCapacity(64 * s.count + 64)
        let mean = s.windowMean
        func f(_ x: Float) -> String { x.isNaN ? "" : "\(x)" }
        for i in 0..<s.count {
            let l = s.latestLoss[i]
            out += "\(i),\(f(l)),\(f(l.isNaN ? .nan : expf(l))),\(f(mean[i])),\(f(s.firstLoss[i])),\(f(s.bestLoss[i])),\(s.seen[i]),\(s.lastStep[i]),\(s.forgets[i])\n"
        }
        return out
    }

    public func writeBlocks(_ s: BlockStatistics) throws {
        try RunFolder.writeAtomically(RunFolder.blocksCSV(s), to: file("blocks.csv"))
    }
}
