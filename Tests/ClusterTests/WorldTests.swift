// World under mpirun (scripts/test runs this file with -np 2 and -np 3) and
// as one process (the single world, where every collective is the identity).
import Cluster
import XCTest

final class WorldTests: XCTestCase {
    var world: World!

    override func setUpWithError() throws {
        world = try World.start()
        if let n = ProcessInfo.processInfo.environment["LFR_EXPECT_RANKS"] {
            XCTAssertEqual(world.size, Int(n), "the job's size")
        }
    }

    func testRankAndSize() {
        XCTAssertTrue(world.rank >= 0 && world.rank < world.size)
        XCTAssertEqual(world.isMPI, World.launchedByMPI)
    }

    func testAllreduceSumsOverRanks() throws {
        var f: [Float] = (0..<1000).map { Float($0) + Float(world.rank) * 0.5 }
        try f.withUnsafeMutableBufferPointer { try world.allreduceSum($0) }
        let n = Float(world.size)
        let rankSum = Float(world.size * (world.size - 1)) / 2 * 0.5
        for i in 0..<1000 { XCTAssertEqual(f[i], Float(i) * n + rankSum) }
        var d: [Double] = [Double(world.rank + 1), 1]
        try d.withUnsafeMutableBufferPointer { try world.allreduceSum($0) }
        XCTAssertEqual(d, [Double(world.size * (world.size + 1) / 2), Double(world.size)])
        XCTAssertEqual(try world.allreduceMax([world.rank, -world.rank]), [world.size - 1, 0])
    }

    func testBroadcastAndAllgather() throws {
        let mine: [UInt8] = Array(repeating: UInt8(world.rank), count: world.rank + 1)
        let got = try world.broadcast(world.rank == 0 ? [7, 8, 9] : [], root: 0)
        XCTAssertEqual(got, [7, 8, 9])
        let all = try world.allgather(mine)
        XCTAssertEqual(all.count, world.size)
        for r in 0..<world.size { XCTAssertEqual(all[r], Array(repeating: UInt8(r), count: r + 1)) }
        let floats = try world.allgather([Float(world.rank), 2.5])
        XCTAssertEqual(floats.map { $0[0] }, (0..<world.size).map(Float.init))
        try world.barrier()
    }

    func testFailureMessageNamesTheRank() {
        let m = world.failureMessage("boom")
        if world.size > 1 { XCTAssertTrue(m.contains("rank \(world.rank) of \(world.size)"), m) }
        XCTAssertTrue(m.hasSuffix("boom"))
        XCTAssertEqual(world.interactiveRefusal == nil, world.size == 1)
    }

    /// Run by scripts/test with LFR_MPI_FAIL_RANK=1: that rank fails while
    /// the others wait in a collective; the job must end with exit code 1
    /// and the message naming the rank (never hang).
    func testFailingRankEndsTheJob() throws {
        guard let r = ProcessInfo.processInfo.environment["LFR_MPI_FAIL_RANK"].flatMap(Int.init) else {
            throw XCTSkip("set LFR_MPI_FAIL_RANK to run")
        }
        if world.rank == r { world.fail("deliberate failure for the test") }
        try world.barrier()
        XCTFail("the barrier returned although rank \(r) failed")
    }
}
