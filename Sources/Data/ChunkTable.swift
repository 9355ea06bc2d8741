// ChunkTable: an open-addressing hash set of short byte strings (BPE
// pre-tokenizer chunks), each given a dense index 0, 1, 2, ... in insertion
// order. Keys live in one byte arena; no allocation per lookup.
//
// What stays true: `slots.count` is a power of two, at most half full;
// a slot holds -1 or an entry index whose key hashes to a probe sequence
// passing through it (linear probing, no deletion).

struct ChunkTable {
    private(set) var arena: [UInt8] = []
    private(set) var keyStart: [Int] = []
    private(set) var keyLength: [Int32] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    /// Number of distinct keys.
    var count: Int { keyStart.count }

    /// FNV-1a over the bytes, then a final avalanche.
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for k in 0..<n { h = (h ^ UInt64(p[k])) &* 0x0000_0100_0000_01B3 }
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        return h ^ (h >> 33)
    }

    /// The bytes of entry `i`.
    func key(_ i: Int) -> ArraySlice<UInt8> {
        arena[keyStart[i]..<keyStart[i] + Int(keyLength[i])]
    }

    /// The index of the key, inserting it when new.
    @inline(__always)
    mutating func index(of p: UnsafePointer<UInt8>, count n: Int) -> (index: Int, inserted: Bool) {
        let h = ChunkTable.hash(p, n)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[s])
            if e < 0 { break }
            if hashes[e] == h && Int(keyLength[e]) == n {
                let same = arena.withUnsafeBufferPointer { a in
                    memcmp(a.baseAddress! + keyStart[e], p, n) == 0
                }
                if same { return (e, false) }
            }
            s = (s + 1) & mask
        }
        let e = keyStart.count
        keyStart.append(arena.count)
        keyLength.append(Int32(n))
        hashes.append(h)
        arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        slots[s] = Int32(e)
        if (e + 1) * 2 > slots.count { grow() }
        return (e, true)
    }

    /// The index of the key, or nil.
    func find(_ p: UnsafePointer<UInt8>, count n: Int) -> Int? {
        let h = ChunkTable.hash(p, n)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[s])
            if e < 0 { return nil }
            if hashes[e] == h && Int(keyLength[e]) == n {
                let same = arena.withUnsafeBufferPointer { a in memcmp(a.baseAddress! + keyStart[e], p, n) == 0 }
                if same { return e }
            }
            s = (s + 1) & mask
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        for e in 0..<hashes.count {
            var s = Int(truncatingIfNeeded: hashes[e]) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(e)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
