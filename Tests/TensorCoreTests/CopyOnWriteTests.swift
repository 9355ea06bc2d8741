// Tests for Tensor's copy-on-write: unique storage is written in place,
// shared storage is copied before a write.
import Testing
@testable import TensorCore

@Suite struct CopyOnWriteTests {
    @Test func uniqueStorageIsWrittenInPlaceAndSharedStorageIsCopied() throws {
        var a = try Tensor(shape: [4], values: [1, 2, 3, 4])
        let before = a.storage.pointer         // an address, not a second reference
        a.withUnsafeMutableBufferPointer { $0[0] = 9 }
        #expect(a.storage.pointer == before)   // unique: written in place
        let b = a                              // now shared
        a.withUnsafeMutableBufferPointer { $0[1] = 7 }
        #expect(a.storage.pointer != b.storage.pointer)   // shared: copied before writing
        #expect(b.toArray() == [9, 2, 3, 4])
        #expect(a.toArray() == [9, 7, 3, 4])
    }
}
