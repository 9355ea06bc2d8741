// WorldBindings: the job of processes as the language sees it (`world()`),
// the adapter from the Cluster world to the trainer's Exchange, and what a
// host program does under mpirun (start, print on rank 0 only, fail).
//
// Scripts need nothing else to run on many processes: `train`, `compare`,
// `measure` and `evaluate` use the exchange that `ScriptWorld.start`
// installs (DESIGN.md section 7).
import Cluster
import Glibc
import Schedules
import Script
import TensorCore

/// The Cluster world as the trainer's exchange.
final class WorldExchange: Exchange {
    let world: World
    init(_ world: World) { self.world = world }
    var rank: Int { world.rank }
    var size: Int { world.size }
    func sum(_ buffer: UnsafeMutableBufferPointer<Float>) throws { try world.allreduceSum(buffer) }
    func sum(_ buffer: UnsafeMutableBufferPointer<Double>) throws { try world.allreduceSum(buffer) }
    func gather(_ values: [Float]) throws -> [[Float]] { try world.allgather(values) }
    func gather(bytes: [UInt8]) throws -> [[UInt8]] { try world.allgather(bytes) }
}

/// What a host (lfr-repl) calls under mpirun.
public enum ScriptWorld {
    /// Joins the job when mpirun started this process, makes every new run
    /// data-parallel over it and silences standard output on ranks other
    /// than 0. Outside mpirun: the world of one, no MPI library opened.
    /// Throws when mpirun started the process but MPI cannot start.
    @discardableResult
    public static func start() throws -> World {
        let w = try World.start()
        if w.size > 1 {
            DataParallel.exchange = WorldExchange(w)
            w.silenceOtherRanks()
            shareCores(localRanks: localRankCount(default: w.size))
        }
        return w
    }

    /// The ranks of this job on this machine (Open MPI says so in
    /// OMPI_COMM_WORLD_LOCAL_SIZE; without it, all of them).
    static func localRankCount(default all: Int) -> Int {
        guard let s = getenv("OMPI_COMM_WORLD_LOCAL_SIZE"), let n = Int(String(cString: s)), n > 0 else { return all }
        return n
    }

    /// Ranks on one machine share its cores: each rank's kernels and OpenBLAS
    /// get cores / local ranks threads (at least one), so two ranks on two
    /// cores do not run four threads. OPENBLAS_NUM_THREADS, when set, is the
    /// user's choice for both. OpenBLAS reads it when it is first opened,
    /// which is later (on the first matrix product).
    static func shareCores(localRanks: Int) {
        let threads: Int
        if let s = getenv("OPENBLAS_NUM_THREADS"), let n = Int(String(cString: s)), n > 0 {
            threads = n
        } else {
            threads = max(1, ProcessInfoLite.activeProcessorCount / max(1, localRanks))
            setenv("OPENBLAS_NUM_THREADS", String(threads), 1)
        }
        Parallel.workers = threads
        if BLAS.isLoaded { BLAS.setThreads(threads) }
    }

    /// The current world (the single one before `start`).
    public static var world: World { World.current }

    /// Ends the job after an error on this rank: the message, naming the
    /// rank, on standard error, and exit code 1 for the whole job.
    public static func fail(_ message: String) -> Never { World.current.fail(message) }

    /// Leaves the job at a normal end (after the script's last statement).
    public static func finish() { World.finish() }

    /// Why the interactive REPL must not start (nil: it may).
    public static var interactiveRefusal: String? { World.current.interactiveRefusal }
}

final class WorldValue: NativeObject {
    let world: World
    init(_ world: World) { self.world = world }
    override var typeName: String { "world" }
    override var description: String { "world(rank: \(world.rank), size: \(world.size))" }
    override var summary: String { description }
    override var memberNames: [String] { ["barrier", "rank", "size"] }
    override var helpText: String {
        "world: the processes of this job (mpirun -np N lfr-repl script.lfr; one process otherwise). Members: rank (0 ..< size), size, barrier() waits for every rank. Only rank 0 prints; train and compare use the other ranks by themselves."
    }
    override func getMember(_ name: String) throws -> Value {
        switch name {
        case "rank": return .number(Double(world.rank))
        case "size": return .number(Double(world.size))
        case "barrier":
            let w = world
            return .native(NativeFunction(name: "barrier", parameters: [], doc: "world().barrier() waits until every rank has called it.") { _ in
                do { try w.barrier() } catch { throw RuntimeError("barrier: \(error)") }
                return .nil
            })
        default: throw noMember(name)
        }
    }
}

/// Defines `world()`.
public func installWorldBindings(into interp: Interpreter) {
    interp.register("world", [], doc: "world() is the job of processes this script runs in: rank, size, barrier().") { _ in
        .object(WorldValue(World.current))
    }
}
