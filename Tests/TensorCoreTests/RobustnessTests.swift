// Regression tests for hostile sizes and files: shapes whose non-zero axes
// overflow, the memory budget, and safetensors files with gaps, trailing
// bytes, empty names or that are not regular files.
import Testing
import Foundation
@testable import TensorCore

@Suite struct RobustnessTests {
    @Test func shapesWhoseNonZeroAxesOverflowAreRejected() throws {
        #expect(Tensor.elementCount([0, 1 << 32, 1 << 32]) == nil)
        #expect(Tensor.elementCount([0, 1 << 20, 1 << 20]) == 0)
        #expect(tensorError { try Tensor.zeros([0, 1 << 32, 1 << 32]) } != nil)
        let a = try Tensor.zeros([0, 1 << 30, 1])
        let b = try Tensor.zeros([0, 1, 1 << 30])
        #expect(tensorError { try a + b } != nil)                   // broadcast to [0, 2^30, 2^30]
        let huge = 1 << 58
        let header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[0,\(1 << 62),\(1 << 62)],\"data_offsets\":[0,0]}}"
        #expect(tensorError { try SafeTensors.decode(bytes: handmade(header, [])) } != nil)
        let c = try Tensor.zeros([huge, 0])
        #expect(tensorError { try Tensor.concat([c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c], axis: 0) } != nil)
    }

    @Test func memoryBudgetRefusesWhatCannotFit() throws {
        #expect(MemoryBudget.availableBytes() != nil)
        let available = MemoryBudget.availableBytes()!
        if case .outOfMemory? = tensorError({ try MemoryBudget.check(bytes: available + (1 << 30), what: "x") }) {} else {
            Issue.record("more than available must be refused")
        }
        #expect(tensorError { try MemoryBudget.check(count: Int.max / 2, elementSize: 4, what: "x") } != nil)
        #expect(tensorError { try MemoryBudget.check(estimatedBytes: .infinity, what: "x") } != nil)
        try MemoryBudget.check(bytes: 1 << 20, what: "small")
        // 2^36 floats (256 GB) is refused with a clear error before any allocation.
        let e = tensorError { try Tensor.zeros([1 << 18, 1 << 18]) }
        #expect(e?.description.contains("not enough memory") == true)
    }

    @Test func safetensorsGapsTrailingBytesAndEmptyNamesAreRejected() throws {
        let one = bytes([Float(1)])
        let gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}"
        #expect(tensorError { try SafeTensors.decode(bytes: handmade(gap, one + one)) }?.description.contains("gap") == true)
        let ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"
        #expect(try SafeTensors.decode(bytes: handmade(ok, one)).names == ["a"])
        #expect(tensorError { try SafeTensors.decode(bytes: handmade(ok, one + [0])) }?.description.contains("trailing") == true)
        let between = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}"
        #expect(tensorError { try SafeTensors.decode(bytes: handmade(between, one + one + one)) } != nil)
        let empty = "{\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"
        #expect(tensorError { try SafeTensors.decode(bytes: handmade(empty, one)) }?.description.contains("empty name") == true)
    }

    @Test func nonRegularFilesGiveClearErrors() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(tensorError { try SafeTensors.read(path: dir) }?.description.contains("is a directory") == true)
        #expect(tensorError { try SafeTensors.read(path: "/dev/zero") }?.description.contains("not a regular file") == true)
        let fifo = dir + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(tensorError { try SafeTensors.read(path: fifo) }?.description.contains("not a regular file") == true)
    }
}
