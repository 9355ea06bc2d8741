// TokenStore: one flat array of token ids, UInt16 when the vocabulary has at
// most 65536 ids and UInt32 otherwise; either owned memory or a read-only
// memory map of a nanoGPT .bin file (little-endian uint16).
//
// What stays true: `count` ids of `width` bytes each start at `base`; the
// store is immutable once built (a builder fills owned memory first), so
// it can be shared by datasets and read from several threads.
import TensorCore

/// An immutable flat array of token ids (see the file header).
public final class TokenStore: @unchecked Sendable {
    /// Bytes per id.
    public enum Width: Int, Sendable { case u16 = 2, u32 = 4 }

    public let width: Width
    /// Number of ids.
    public let count: Int
    @usableFromInline let base: UnsafeRawPointer?
    /// Keeps a memory map alive (nil for owned memory).
    private let mapping: FileIO.Mapping?
    /// Owned memory to free (nil for a map).
    private let owned: UnsafeMutableRawPointer?
    /// Where the ids came from (a .bin path, or nil when built in memory).
    public let path: String?

    /// The width that holds ids below `vocab`.
    public static func width(forVocab vocab: Int) -> Width { vocab <= 65_536 ? .u16 : .u32 }

    init(owned: UnsafeMutableRawPointer?, count: Int, width: Width) {
        self.owned = owned
        self.base = owned.map { UnsafeRawPointer($0) }
        self.count = count
        self.width = width
        self.mapping = nil
        self.path = nil
    }

    /// Maps a nanoGPT .bin file (flat little-endian uint16) without reading it.
    public init(mappingBin path: String) throws {
        let m = try FileIO.Mapping(path: path)
        if m.length % 2 != 0 { throw DataError.oddLengthBin(path: path, bytes: m.length) }
        #if _endian(big)
        // Big-endian hosts read the file into owned memory, swapping bytes.
        let n = m.length / 2
        let mem = UnsafeMutableRawPointer.allocate(byteCount: max(1, n * 2), alignment: 64)
        let dst = mem.bindMemory(to: UInt16.self, capacity: max(1, n))
        for i in 0..<n { dst[i] = UInt16(littleEndian: m.base!.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        self.owned = mem
        self.base = UnsafeRawPointer(mem)
        self.mapping = nil
        #else
        self.owned = nil
        self.base = m.base
        self.mapping = m
        #endif
        self.count = m.length / 2
        self.width = .u16
        self.path = path
    }

    /// A store holding a copy of `ids` at the given width (the caller has
    /// checked that every id fits).
    public convenience init<C: Collection>(ids: C, width: Width) where C.Element: BinaryInteger {
        var b = TokenStoreBuilder(width: width)
        for id in ids { b.append(UInt32(truncatingIfNeeded: id)) }
        self.init(builder: &b)
    }

    convenience init(builder: inout TokenStoreBuilder) {
        let (mem, n, w) = builder.take()
        self.init(owned: mem, count: n, width: w)
    }

    deinit { owned?.deallocate() }

    /// The id at `i` (0 <= i < count; the caller checks).
    @inlinable
    public subscript(i: Int) -> UInt32 {
        switch width {
        case .u16: return UInt32(base!.load(fromByteOffset: 2 &* i, as: UInt16.self))
        case .u32: return base!.load(fromByteOffset: 4 &* i, as: UInt32.self)
        }
    }

    /// Copies ids `start..<start+n` to `dst` as Int32 and returns the largest
    /// id copied (the caller checks the range).
    @inlinable
    public func copy(from start: Int, count n: Int, to dst: UnsafeMutablePointer<Int32>) -> UInt32 {
        guard n > 0, let base else { return 0 }
        var largest: UInt32 = 0
        switch width {
        case .u16:
            let src = base.assumingMemoryBound(to: UInt16.self) + start
            var m: UInt16 = 0
            for k in 0..<n { let v = src[k]; dst[k] = Int32(v); m = max(m, v) }
            largest = UInt32(m)
        case .u32:
            let src = base.assumingMemoryBound(to: UInt32.self) + start
            for k in 0..<n { let v = src[k]; dst[k] = Int32(bitPattern: v); largest = max(largest, v) }
        }
        return largest
    }

    /// The largest id in `range` (reads every id in it).
    public func maxID(in range: Range<Int>) -> UInt32 {
        guard let base, !range.isEmpty else { return 0 }
        switch width {
        case .u16:
            let src = base.assumingMemoryBound(to: UInt16.self)
            var m: UInt16 = 0
            for k in range { m = max(m, src[k]) }
            return UInt32(m)
        case .u32:
            let src = base.assumingMemoryBound(to: UInt32.self)
            var m: UInt32 = 0
            for k in range { m = max(m, src[k]) }
            return m
        }
    }

    /// The ids in `range` as Ints.
    public func ids(_ range: Range<Int>) -> [Int] {
        var out = [Int](repeating: 0, count: range.count)
        for (k, i) in range.enumerated() { out[k] = Int(self[i]) }
        return out
    }

    /// The raw bytes of ids in `range` (little-endian on the hosts lfr runs on).
    func rawBytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        guard let base else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + range.lowerBound * width.rawValue,
                                      count: range.count * width.rawValue)
    }
}

/// Grows owned memory for a TokenStore, narrowing UInt32 ids to the width.
struct TokenStoreBuilder {
    let width: TokenStore.Width
    private(set) var count = 0
    private var capacity = 0
    private var memory: UnsafeMutableRawPointer?

    init(width: TokenStore.Width, capacity: Int = 0) {
        self.width = width
        if capacity > 0 { reserve(capacity) }
    }

    mutating func reserve(_ n: Int) {
        if n <= capacity { return }
        let newCapacity = max(n, capacity * 2, 1024)
        let mem = UnsafeMutableRawPointer.allocate(byteCount: newCapacity * width.rawValue, alignment: 64)
        if let memory {
            mem.copyMemory(from: memory, byteCount: count * width.rawValue)
            memory.deallocate()
        }
        memory = mem
        capacity = newCapacity
    }

    mutating func append(_ id: UInt32) {
        reserve(count + 1)
        switch width {
        case .u16: memory!.storeBytes(of: UInt16(truncatingIfNeeded: id), toByteOffset: 2 * count, as: UInt16.self)
        case .u32: memory!.storeBytes(of: id, toByteOffset: 4 * count, as: UInt32.self)
        }
        count += 1
    }

    /// Appends ids (the caller has checked they fit the width).
    mutating func append(_ ids: UnsafeBufferPointer<UInt32>) {
        let n = ids.count
        if n == 0 { return }
        reserve(count + n)
        let src = ids.baseAddress!
        switch width {
        case .u16:
            let dst = memory!.assumingMemoryBound(to: UInt16.self) + count
            for k in 0..<n { dst[k] = UInt16(truncatingIfNeeded: src[k]) }
        case .u32:
            (memory! + 4 * count).copyMemory(from: src, byteCount: 4 * n)
        }
        count += n
    }

    /// Hands the memory over (the builder is empty afterwards).
    mutating func take() -> (UnsafeMutableRawPointer?, Int, TokenStore.Width) {
        defer { memory = nil; count = 0; capacity = 0 }
        return (memory, count, width)
    }
}
