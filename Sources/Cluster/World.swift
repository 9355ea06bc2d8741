// World: the processes of one lfr job and the few collective operations lfr
// needs between them (DESIGN.md section 7).
//
// A process started by mpirun joins the MPI job in `World.start()` and gets
// its rank and the job size; any other process is a world of one, where
// every collective is the identity and no MPI library is ever opened. So
// the same binary runs everywhere, and only a process that mpirun started
// on a machine without Open MPI fails, with a message that says so.
//
// What stays true: every collective must be called by every rank, in the
// same order, with the same element counts (the callers, the trainer and
// the comparison, keep all ranks in lockstep); results are identical on
// every rank. A failure on any rank ends the whole job (`fail`), with the
// failing rank named in the message, so a job never hangs waiting for a
// rank that has given up.
import CMPI
#if canImport(Glibc)
import Glibc
#endif

public enum DistributedError: Error, CustomStringConvertible, Equatable {
    /// mpirun started this process but MPI cannot be used.
    case unavailable(String)
    /// A collective operation failed.
    case failed(String)

    public var description: String {
        switch self {
        case .unavailable(let m): return "MPI unavailable: \(m)"
        case .failed(let m): return "MPI: \(m)"
        }
    }
}

public final class World: @unchecked Sendable {
    /// This process's rank, 0 ..< size.
    public let rank: Int
    /// Number of processes in the job.
    public let size: Int
    /// True when this world is an MPI job (even a job of one process).
    public let isMPI: Bool

    private init(rank: Int, size: Int, isMPI: Bool) {
        self.rank = rank
        self.size = size
        self.isMPI = isMPI
    }

    /// A world of one process: every collective is the identity.
    public static let single = World(rank: 0, size: 1, isMPI: false)

    nonisolated(unsafe) private static var started: World?

    /// The world of this process: `start()`'s, or the single world when
    /// nothing started one.
    public static var current: World { started ?? single }

    /// True when mpirun started this process (its environment says so).
    public static var launchedByMPI: Bool { lfr_mpi_launched() != 0 }

    /// Joins the MPI job when mpirun started this process (else returns the
    /// single world without opening any library). Call once, first thing.
    @discardableResult
    public static func start() throws -> World {
        if let started { return started }
        guard launchedByMPI else { return single }
        guard lfr_mpi_init() == 0 else { throw DistributedError.unavailable(String(cString: lfr_mpi_error())) }
        let w = World(rank: Int(lfr_mpi_rank()), size: Int(lfr_mpi_size()), isMPI: true)
        started = w
        return w
    }

    /// Leaves the MPI job (after the last collective; a no-op otherwise).
    public static func finish() {
        guard let w = started, w.isMPI else { return }
        _ = lfr_mpi_finalize()
        started = nil
    }

    /// True on the rank that prints and writes files.
    public var isRoot: Bool { rank == 0 }

    /// "rank 1 of 4" (for messages).
    public var label: String { "rank \(rank) of \(size)" }

    private func check(_ rc: Int32, _ what: String) throws {
        if rc != 0 { throw DistributedError.failed("\(what) on \(label): \(String(cString: lfr_mpi_error()))") }
    }

    /// Waits until every rank has called it.
    public func barrier() throws {
        guard isMPI else { return }
        try check(lfr_mpi_barrier(), "barrier")
    }

    /// Element-wise sum over all ranks, in place.
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard isMPI, size > 1, let p = buffer.baseAddress, buffer.count > 0 else { return }
        try check(lfr_mpi_allreduce_sum_float(p, buffer.count), "allreduce")
    }

    /// Element-wise sum over all ranks, in place.
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        guard isMPI, size > 1, let p = buffer.baseAddress, buffer.count > 0 else { return }
        try check(lfr_mpi_allreduce_sum_double(p, buffer.count), "allreduce")
    }

    /// Element-wise maximum over all ranks.
    public func allreduceMax(_ values: [Int]) throws -> [Int] {
        guard isMPI, size > 1, !values.isEmpty else { return values }
        var v = values
        try v.withUnsafeMutableBufferPointer { b in
            try b.withMemoryRebound(to: CLong.self) { try check(lfr_mpi_allreduce_max_long($0.baseAddress!, $0.count), "allreduce") }
        }
        return v
    }

    /// `root`'s bytes on every rank (other ranks' arguments are ignored).
    public func broadcast(_ bytes: [UInt8], root: Int = 0) throws -> [UInt8] {
        guard isMPI, size > 1 else { return bytes }
        var length = [CLong(bytes.count)]
        try length.withUnsafeMutableBytes { try check(lfr_mpi_broadcast($0.baseAddress!, CLong($0.count), Int32(root)), "broadcast") }
        var out = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length[0]))
        if length[0] > 0 {
            try out.withUnsafeMutableBytes { try check(lfr_mpi_broadcast($0.baseAddress!, CLong($0.count), Int32(root)), "broadcast") }
        }
        return out
    }

    /// Every rank's bytes (any length each), in rank order, on every rank.
    public func allgather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        guard isMPI, size > 1 else { return [bytes] }
        // Lengths first (each rank fills its own slot; a max-reduce merges them).
        var lengths = [Int](repeating: 0, count: size)
        lengths[rank] = bytes.count
        lengths = try allreduceMax(lengths)
        let total = lengths.reduce(0, +)
        var out = [UInt8](repeating: 0, count: max(total, 1))
        let counts = lengths.map { CLong($0) }
        try bytes.withUnsafeBytes { send in
            try out.withUnsafeMutableBytes { recv in
                try counts.withUnsafeBufferPointer { c in
                    try check(lfr_mpi_allgatherv(send.baseAddress ?? UnsafeRawPointer(recv.baseAddress!), CLong(bytes.count),
                                                 recv.baseAddress!, c.baseAddress!), "allgather")
                }
            }
        }
        var parts: [[UInt8]] = []
        var at = 0
        for n in lengths {
            parts.append(Array(out[at ..< at + n]))
            at += n
        }
        return parts
    }

    /// Every rank's Floats, in rank order, on every rank.
    public func allgather(_ values: [Float]) throws -> [[Float]] {
        guard isMPI, size > 1 else { return [values] }
        let bytes = values.withUnsafeBytes { Array($0) }
        return try allgather(bytes).map { part in
            [Float](unsafeUninitializedCapacity: part.count / 4) { buf, n in
                part.withUnsafeBytes { src in
                    if !part.isEmpty { UnsafeMutableRawBufferPointer(buf).copyMemory(from: src) }
                }
                n = part.count / 4
            }
        }
    }

    /// Seconds on a clock shared by the ranks' measurements (MPI_Wtime).
    public func seconds() -> Double { lfr_mpi_wtime() }

    /// Ends the whole job with `code` (every rank, at once).
    public func abort(code: Int32) -> Never {
        lfr_mpi_abort(code)
        exit(code)
    }

    // MARK: - What a host program does with the world

    /// Sends standard output of every rank but 0 to /dev/null: one rank
    /// prints, the others' errors still reach standard error.
    public func silenceOtherRanks() {
        guard rank != 0 else { return }
        fflush(stdout)
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 {
            dup2(null, STDOUT_FILENO)
            close(null)
        }
    }

    /// The message a failure on this rank ends the job with.
    public func failureMessage(_ message: String) -> String {
        size > 1 || isMPI ? "lfr: error on \(label): \(message)" : "lfr: error: \(message)"
    }

    /// Prints the failure (naming this rank) on standard error and ends the
    /// whole job with exit code 1; mpirun forwards the message to its own
    /// standard error, and the other ranks stop wherever they wait.
    public func fail(_ message: String) -> Never {
        fflush(stdout)
        fputs(failureMessage(message) + "\n", stderr)
        fflush(stderr)
        if isMPI && size > 1 { abort(code: 1) }
        World.finish()
        exit(1)
    }

    /// Why the interactive REPL refuses to run in a job of several ranks
    /// (nil when it may run).
    public var interactiveRefusal: String? {
        guard size > 1 else { return nil }
        return "the interactive REPL does not run under mpirun with \(size) ranks: every rank must run the same entries in the same order, and a typing mistake, an interrupt or a pause on rank 0 alone would leave the others waiting forever; run a script instead (mpirun -np \(size) lfr-repl script.lfr)"
    }
}
