// MemoryBudget: the one check every allocation sized by user input or by a
// file goes through before anything is built.
//
// What stays true here: `check` throws TensorError.outOfMemory naming what
// was to be built, how many bytes it needs and how many are available,
// when the request exceeds the memory the kernel reports as available
// (/proc/meminfo's MemAvailable, which counts reclaimable page cache) or
// cannot be counted in an Int at all. Nothing here allocates. Where
// /proc/meminfo cannot be read (not Linux), only impossible sizes are
// refused. `LFR_MEMORY_LIMIT` (bytes) lowers the budget, so tests and
// shared machines can ask for a smaller one.
#if canImport(Glibc)
import Glibc
#endif

public enum MemoryBudget {
    /// Requests below this many bytes are not checked (reading /proc/meminfo
    /// costs a system call; small buffers cannot exhaust a machine).
    public static let checkedAbove = 64 << 20

    /// Bytes the kernel reports available now (MemAvailable), lowered by
    /// `LFR_MEMORY_LIMIT` when set; nil when neither is known.
    public static func availableBytes() -> Int? {
        var limit: Int?
        if let s = getenv("LFR_MEMORY_LIMIT"), let v = Int(String(cString: s)), v >= 0 { limit = v }
        guard let available = memAvailable() else { return limit }
        return limit.map { Swift.min($0, available) } ?? available
    }

    /// Throws when `bytes` cannot be had; `what` names the thing to be built
    /// ("a GPT of 3.8e9 parameters (values, gradients, AdamW moments)").
    public static func check(bytes: Int, what: String) throws {
        guard bytes >= 0 else { throw TensorError.outOfMemory(what: what, bytes: nil, available: availableBytes()) }
        if bytes < checkedAbove { return }
        if let available = availableBytes(), bytes > available {
            throw TensorError.outOfMemory(what: what, bytes: bytes, available: available)
        }
    }

    /// `check` for `count` elements of `elementSize` bytes each (the product
    /// may overflow: that is refused too).
    public static func check(count: Int, elementSize: Int, what: String) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard count >= 0, !overflow else {
            throw TensorError.outOfMemory(what: what, bytes: nil, available: availableBytes())
        }
        try check(bytes: bytes, what: what)
    }

    /// `check` for a byte count computed in Double (sums of products of
    /// user sizes, which may not fit an Int).
    public static func check(estimatedBytes: Double, what: String) throws {
        guard estimatedBytes.isFinite, estimatedBytes < 9.0e18 else {
            throw TensorError.outOfMemory(what: what, bytes: nil, available: availableBytes())
        }
        try check(bytes: Int(estimatedBytes), what: what)
    }

    /// MemAvailable from /proc/meminfo, in bytes.
    static func memAvailable() -> Int? {
        let fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
        guard n > 0 else { return nil }
        let text = String(decoding: buf[0..<n], as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let kb = Int(fields[1]) else { return nil }
            return kb * 1024
        }
        return nil
    }

    /// A byte count for messages: "15.2 GB", "640 MB".
    public static func describe(bytes: Int) -> String {
        let b = Double(bytes)
        if b >= 1e9 { return String(Int((b / 1e8).rounded())).inserting(".", beforeLast: 1) + " GB" }
        return "\(Int((b / 1e6).rounded())) MB"
    }
}

private extension String {
    func inserting(_ s: String, beforeLast n: Int) -> String {
        var t = self
        while t.count <= n { t = "0" + t }
        t.insert(contentsOf: s, at: t.index(t.endIndex, offsetBy: -n))
        return t
    }
}
