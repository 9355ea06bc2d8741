// world() as scripts see it, on one process and under mpirun.
import Cluster
import Script
import ScriptLibrary
import XCTest

final class WorldBindingsTests: XCTestCase {
    func testWorldValue() throws {
        let w = try ScriptWorld.start()
        let interp = try Interpreter(loadPrelude: false)
        installWorldBindings(into: interp)
        func number(_ source: String) throws -> Double? {
            if case .number(let n) = try interp.evaluate(source) { return n }
            return nil
        }
        XCTAssertEqual(try number("world().size"), Double(w.size))
        XCTAssertEqual(try number("world().rank"), Double(w.rank))
        guard case .nil = try interp.evaluate("world().barrier()") else { return XCTFail("barrier() is nil") }
        XCTAssertThrowsError(try interp.evaluate("world().ranks")) { e in
            XCTAssertTrue("\(e)".contains("world has no member 'ranks'"), "\(e)")
        }
    }
}
