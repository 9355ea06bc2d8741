// RunFolder: the files a run leaves behind (DESIGN.md section 3).
//
//   <out>/script.lfr      the script that started the run (when known)
//   <out>/config.json     model, data, schedule and trainer settings
//   <out>/metrics.jsonl   one JSON object per logged step, appended (O_APPEND)
//                         and flushed as it happens (a crash loses at most
//                         the line being written)
//   <out>/blocks.csv      per-block statistics, rewritten atomically at each
//                         checkpoint, just after the checkpoint
//   <out>/checkpoint.run  model, optimizer and run state (atomic rename)
//   <out>/lock            the pid of the process writing the folder
//
// What stays true here:
// - One process writes a folder at a time: opening it takes an exclusive
//   flock on `lock` (released by the kernel when the process ends, so the
//   lock of a killed process is simply taken over); a second process is
//   refused with the holder's pid. Runs of one process share the lock.
// - The checkpoint is the truth. A run resumed into its folder first
//   trims metrics.jsonl back to the checkpoint's step (lines a later,
//   lost part of the run wrote go, and so does a torn last line) and
//   rewrites blocks.csv from the checkpoint's statistics; the trainer
//   writes the checkpoint before blocks.csv, so a kill between the two
//   leaves a blocks.csv one checkpoint behind, which the next resume
//   replaces.
// - Temporary files of atomic writes a killed process left (`.NAME.tmp-PID-N`)
//   are removed when the folder is opened.
import Foundation
import TensorCore
#if canImport(Glibc)
import Glibc
#endif

/// Writes a run's folder. All methods throw ScheduleError.io naming the path.
public final class RunFolder {
    public let path: String
    private var metricsFD: Int32 = -1
    private let lock: FolderLock

    /// Creates (or reuses, when resuming) the folder, takes its lock and
    /// removes temporary files a killed writer left.
    public init(path: String) throws {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ScheduleError.io(path: path, message: "cannot create run folder: \(error.localizedDescription)")
        }
        lock = try FolderLock.take((path as NSString).appendingPathComponent("lock"), folder: path)
        removeStaleTemporaries()
    }

    deinit {
        if metricsFD >= 0 { close(metricsFD) }
        lock.release()
    }

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

    /// Appends one metrics line and flushes it to the file. The file is
    /// opened with O_APPEND, so every line goes to the end even if something
    /// else appended meanwhile.
    public func appendMetrics(_ line: JSONValue) throws {
        let p = file("metrics.jsonl")
        if metricsFD < 0 {
            metricsFD = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard metricsFD >= 0 else { throw ScheduleError.io(path: p, message: "cannot open for appending: \(RunFolder.errnoText())") }
        }
        var bytes = Array((line.encoded + "\n").utf8)
        let ok = bytes.withUnsafeMutableBytes { b -> Bool in
            var at = 0
            while at < b.count {
                let n = write(metricsFD, b.baseAddress! + at, b.count - at)
                if n < 0 { if errno == EINTR { continue }; return false }
                at += n
            }
            return true
        }
        guard ok, fsync(metricsFD) == 0 else { throw ScheduleError.io(path: p, message: "cannot append: \(RunFolder.errnoText())") }
    }

    /// Trims metrics.jsonl back to a checkpoint: keeps the lines of steps
    /// before `step`, the step lines of `step` itself and the phase events
    /// `keepPhase` accepts (phase number from 1, its step); drops later
    /// lines, end events (unless `finished`), and lines that do not parse
    /// (a torn last line). Returns the number of lines dropped.
    @discardableResult
    public func trimMetrics(toStep step: Int, finished: Bool, keepPhase: (Int, Int) -> Bool) throws -> Int {
        let p = file("metrics.jsonl")
        guard let data = FileManager.default.contents(atPath: p) else { return 0 }
        var kept: [Substring] = [], dropped = 0
        let text = String(decoding: data, as: UTF8.self)
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard case .object(let fields)? = try? JSONValue.parse(String(line)) else { dropped += 1; continue }
            func number(_ k: String) -> Int? {
                switch fields.first(where: { $0.0 == k })?.1 {
                case .int(let v)?: return v
                case .double(let v)?: return v.isFinite ? Int(v) : nil
                default: return nil
                }
            }
            let event: String? = { if case .string(let e)? = fields.first(where: { $0.0 == "event" })?.1 { return e }; return nil }()
            guard let s = number("step") else { dropped += 1; continue }
            let keep: Bool
            switch event {
            case "phase"?: keep = s < step || (s == step && keepPhase(number("phase") ?? 0, s))
            case "end"?: keep = finished && s <= step
            default: keep = s <= step
            }
            if keep { kept.append(line) } else { dropped += 1 }
        }
        guard dropped > 0 || !text.isEmpty && !text.hasSuffix("\n") else { return 0 }
        if metricsFD >= 0 { close(metricsFD); metricsFD = -1 }
        try RunFolder.writeAtomically(kept.map { $0 + "\n" }.joined(), to: p)
        return dropped
    }

    /// Removes `.NAME.tmp-PID-N` files of other processes (this one holds
    /// the lock, so no other process is writing them).
    func removeStaleTemporaries() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        let mine = "-\(getpid())-"
        for n in names where n.hasPrefix(".") && n.contains(".tmp-") && !n.contains(mine) {
            unlink(file(n))
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

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

extension Run {
    /// Opens the run folder for writing (RunFolder takes its lock). A run at
    /// step 0 writes its script and config; every run then makes the
    /// folder agree with its own state: metrics.jsonl trimmed to its step
    /// (a fresh run clears the lines of an earlier one) and, when resuming,
    /// blocks.csv rewritten from its statistics.
    func openFolder(_ out: String) throws {
        let f = try RunFolder(path: out)
        if step == 0 {
            if let s = scriptSource { try f.writeScript(s) }
            try f.writeConfig(configJSON)
        }
        let current = phaseIndex + 1, started = phaseStarted
        try f.trimMetrics(toStep: step, finished: finished) { p, _ in p < current || (p == current && started) }
        if step > 0 { try f.writeBlocks(stats) }
        folder = f
    }
}

/// The exclusive lock on a run folder (see the file header): one flock per
/// folder per process, shared by the runs of the process.
final class FolderLock {
    let path: String
    private let fd: Int32
    private var holders = 1

    private static var held: [String: FolderLock] = [:]
    private static let mutex = NSLock()

    private init(path: String, fd: Int32) { self.path = path; self.fd = fd }

    /// Takes the lock at `path` (a file in `folder`), or throws naming the
    /// process that holds it.
    static func take(_ path: String, folder: String) throws -> FolderLock {
        var resolved = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let key = realpath(folder, &resolved) != nil ? String(cString: resolved) : (path as NSString).standardizingPath
        mutex.lock(); defer { mutex.unlock() }
        if let l = held[key] { l.holders += 1; return l }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ScheduleError.io(path: path, message: "cannot open the run folder's lock: \(RunFolder.errnoText())") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buf = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buf, buf.count, 0)
            close(fd)
            let holder = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            throw ScheduleError.io(path: folder, message: "the run folder is in use by process \(holder) (another run writes it); wait for it to end, stop it, or choose another out:")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        let l = FolderLock(path: key, fd: fd)
        held[key] = l
        return l
    }

    /// Gives the lock up once its last holder in this process is done.
    func release() {
        FolderLock.mutex.lock(); defer { FolderLock.mutex.unlock() }
        holders -= 1
        if holders == 0 {
            FolderLock.held[path] = nil
            close(fd)   // closing the descriptor drops the flock
        }
    }
}
