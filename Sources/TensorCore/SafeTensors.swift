// SafeTensors: read and write the safetensors format (Hugging Face), and
// AtomicFile, the temp-file + fsync + rename writer every saver uses.
//
// Format: 8 bytes little-endian header length N, N bytes of JSON header
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
//  "__metadata__": {"key": "value"}}, then the data section; offsets are
// relative to the data section, little-endian, row-major.
//
// What stays true here: reading validates everything before it allocates a
// tensor: the header length against the file size (a header claiming 10^15
// bytes is rejected without allocating), the JSON, every dtype, every shape
// (no overflow), every byte span (== element count x dtype size, inside the
// data section, no two spans overlapping, together tiling the data section
// with no gap or trailing byte), every name non-empty; only regular files
// are opened (a directory, device or FIFO is an error, never a hang). Loading never executes anything.
// F32 is read and written; F16, BF16, F64, I8, I16, I32, I64, U8, BOOL are
// read and converted to Float32 (integers beyond 2^24 round, as Float does).
// `names` lists tensors in file order (by data offset). Writes lay tensors
// out in the order given, pad the header with spaces to a multiple of 8, and
// go through AtomicFile, so a killed process never leaves a half file.
// The host is assumed little-endian (x86-64 and arm64 are).
#if canImport(Glibc)
import Glibc
#endif

/// The contents of a safetensors file.
public struct SafeTensorsFile {
    /// Tensor names in file order (by data offset).
    public var names: [String]
    /// Every tensor, converted to Float32.
    public var tensors: [String: Tensor]
    /// The `__metadata__` strings.
    public var metadata: [String: String]
    /// The dtype each tensor had in the file ("F32", "BF16", ...).
    public var dtypes: [String: String]

    public init(names: [String], tensors: [String: Tensor], metadata: [String: String],
                dtypes: [String: String] = [:]) {
        self.names = names
        self.tensors = tensors
        self.metadata = metadata
        self.dtypes = dtypes
    }
}

public enum SafeTensors {
    /// Largest header accepted (the reference implementation's limit is 100 MB).
    public static let maxHeaderBytes = 100_000_000

    /// Bytes per element of each dtype this reader understands.
    public static let dtypeSizes: [String: Int] = [
        "F32": 4, "F16": 2, "BF16": 2, "F64": 8,
        "I8": 1, "I16": 2, "I32": 4, "I64": 8, "U8": 1, "BOOL": 1,
    ]

    // MARK: - Reading

    /// Reads a safetensors file (memory-mapped, validated, converted to Float32).
    public static func read(path: String) throws -> SafeTensorsFile {
        try withMappedFile(path) { try decode(bytes: $0, path: path) }
    }

    /// Maps a file read-only for the duration of `body`.
    static func withMappedFile<R>(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        // O_NONBLOCK: opening a FIFO must not wait for a writer; the file
        // type is checked before anything is read.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw TensorError.io(path: path, message: "cannot open: \(errnoText())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw TensorError.io(path: path, message: "cannot stat: \(errnoText())") }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw TensorError.io(path: path, message: "is a directory, not a safetensors file")
        default: throw TensorError.io(path: path, message: "is not a regular file (a device, FIFO or socket)")
        }
        let size = Int(st.st_size)
        guard size >= 8 else {
            throw TensorError.format(path: path, message: "truncated safetensors file: \(size) bytes, less than the 8-byte header length")
        }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0),
              map != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw TensorError.io(path: path, message: "cannot map: \(errnoText())")
        }
        defer { munmap(map, size) }
        return try body(UnsafeRawBufferPointer(start: map, count: size))
    }

    /// Decodes a whole safetensors file held in memory.
    public static func decode(bytes: [UInt8], path: String = "<bytes>") throws -> SafeTensorsFile {
        try bytes.withUnsafeBytes { try decode(bytes: $0, path: path) }
    }

    /// Decodes a whole safetensors file held in memory.
    public static func decode(bytes: UnsafeRawBufferPointer, path: String = "<bytes>") throws -> SafeTensorsFile {
        let (entries, metadata, data) = try parseLayout(bytes: bytes, path: path)
        var tensors: [String: Tensor] = [:]
        var dtypes: [String: String] = [:]
        for e in entries {
            let src = UnsafeRawBufferPointer(rebasing: data[e.begin..<e.end])
            tensors[e.name] = try Tensor(shape: e.shape) { dst in convert(src, dtype: e.dtype, into: dst) }
            dtypes[e.name] = e.dtype
        }
        return SafeTensorsFile(names: entries.map(\.name), tensors: tensors, metadata: metadata, dtypes: dtypes)
    }

    /// Reads a safetensors file keeping every array's dtype and bytes as
    /// stored (for exact integer and Float64 state; see SafeTensorsArray).
    public static func readRaw(path: String) throws -> (arrays: [SafeTensorsArray], metadata: [String: String]) {
        try withMappedFile(path) { bytes in
            let (entries, metadata, data) = try parseLayout(bytes: bytes, path: path)
            let arrays = entries.map { e in
                SafeTensorsArray(name: e.name, dtype: e.dtype, shape: e.shape,
                                 bytes: Array(UnsafeRawBufferPointer(rebasing: data[e.begin..<e.end])))
            }
            return (arrays, metadata)
        }
    }

    /// One entry of the header, validated.
    struct LayoutEntry { var name: String; var dtype: String; var shape: [Int]; var begin: Int; var end: Int; var order: Int }

    /// Validates the header and every byte span; returns the entries in data
    /// order, the metadata and the data section.
    static func parseLayout(bytes: UnsafeRawBufferPointer, path: String) throws
        -> (entries: [LayoutEntry], metadata: [String: String], data: UnsafeRawBufferPointer) {
        func bad(_ message: String) -> TensorError { .format(path: path, message: message) }
        guard bytes.count >= 8 else {
            throw bad("truncated safetensors file: \(bytes.count) bytes, less than the 8-byte header length")
        }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw bad("header claims \(headerLength) bytes but the file has only \(bytes.count - 8) after the length (truncated or not safetensors)")
        }
        guard headerLength <= UInt64(maxHeaderBytes) else {
            throw bad("header of \(headerLength) bytes exceeds the \(maxHeaderBytes)-byte limit")
        }
        let n = Int(headerLength)
        let header: JSONValue
        do {
            header = try JSONValue.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + n)]))
        } catch let e as JSONError {
            throw bad("header is not valid JSON (\(e))")
        }
        guard case let .object(members) = header else { throw bad("header is not a JSON object") }
        let data = UnsafeRawBufferPointer(rebasing: bytes[(8 + n)...])

        var entries: [LayoutEntry] = []
        var metadata: [String: String] = [:]
        var seen = Set<String>()
        for (order, (name, value)) in members.enumerated() {
            guard seen.insert(name).inserted else { throw bad("tensor \"\(name)\" appears twice in the header") }
            if name == "__metadata__" {
                guard case let .object(kv) = value else { throw bad("__metadata__ is not an object") }
                for (k, v) in kv {
                    guard case let .string(s) = v else { throw bad("__metadata__ value for \"\(k)\" is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard !name.isEmpty else { throw bad("a tensor has an empty name") }
            guard case let .object(fields) = value else { throw bad("entry \"\(name)\" is not an object") }
            var dtype: String?, shape: [Int]?, offsets: [Int]?
            for (k, v) in fields {
                switch k {
                case "dtype":
                    guard case let .string(s) = v else { throw bad("dtype of \"\(name)\" is not a string") }
                    dtype = s
                case "shape", "data_offsets":
                    guard case let .array(items) = v else { throw bad("\(k) of \"\(name)\" is not an array") }
                    var ints: [Int] = []
                    for item in items {
                        guard case let .int(i) = item, i >= 0 else {
                            throw bad("\(k) of \"\(name)\" must hold non-negative integers")
                        }
                        ints.append(i)
                    }
                    if k == "shape" { shape = ints } else { offsets = ints }
                default:
                    throw bad("unknown field \"\(k)\" in entry \"\(name)\"")
                }
            }
            guard let dt = dtype else { throw bad("entry \"\(name)\" has no dtype") }
            guard let sh = shape else { throw bad("entry \"\(name)\" has no shape") }
            guard let off = offsets, off.count == 2 else { throw bad("entry \"\(name)\" needs data_offsets [begin, end]") }
            guard let elementSize = dtypeSizes[dt] else {
                throw bad("unknown dtype \"\(dt)\" for \"\(name)\" (known: \(dtypeSizes.keys.sorted().joined(separator: ", ")))")
            }
            guard let count = Tensor.elementCount(sh) else { throw bad("shape \(sh) of \"\(name)\" is too large") }
            let (span, overflow) = count.multipliedReportingOverflow(by: elementSize)
            guard !overflow, off[0] <= off[1], off[1] - off[0] == span else {
                throw bad("\"\(name)\": data_offsets \(off) span \(off[1] &- off[0]) bytes but shape \(sh) of \(dt) needs \(overflow ? "too many" : String(span))")
            }
            guard off[1] <= data.count else {
                throw bad("\"\(name)\": data_offsets \(off) run past the data section of \(data.count) bytes (truncated file?)")
            }
            entries.append(LayoutEntry(name: name, dtype: dt, shape: sh, begin: off[0], end: off[1], order: order))
        }
        entries.sort { $0.begin != $1.begin ? $0.begin < $1.begin : $0.order < $1.order }
        for i in entries.indices.dropFirst() where entries[i].begin < entries[i - 1].end {
            throw bad("\"\(entries[i].name)\" overlaps \"\(entries[i - 1].name)\" in the data section")
        }
        // The spans tile the data section exactly, as the reference reader
        // requires: no gap before or between tensors, no trailing bytes.
        var expected = 0
        for e in entries {
            guard e.begin == expected else {
                throw bad("\(e.begin - expected) bytes of gap before \"\(e.name)\" in the data section (it starts at \(e.begin), the previous tensor ends at \(expected))")
            }
            expected = e.end
        }
        guard expected == data.count else {
            throw bad("\(data.count - expected) trailing bytes after the last tensor (the data section has \(data.count) bytes, the tensors \(expected))")
        }

        return (entries, metadata, data)
    }

    /// Converts little-endian elements of `dtype` to Float32.
    static func convert(_ src: UnsafeRawBufferPointer, dtype: String, into dst: UnsafeMutableBufferPointer<Float>) {
        let n = dst.count
        guard n > 0, let out = dst.baseAddress, let base = src.baseAddress else { return }
        switch dtype {
        case "F32": UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: n * 4)
        case "F64": for i in 0..<n { out[i] = Float(base.loadUnaligned(fromByteOffset: i * 8, as: Double.self)) }
        case "F16": for i in 0..<n { out[i] = halfToFloat(base.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) }
        case "BF16":
            for i in 0..<n { out[i] = Float(bitPattern: UInt32(base.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) << 16) }
        case "I8": for i in 0..<n { out[i] = Float(base.loadUnaligned(fromByteOffset: i, as: Int8.self)) }
        case "I16": for i in 0..<n { out[i] = Float(base.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)) }
        case "I32": for i in 0..<n { out[i] = Float(base.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)) }
        case "I64": for i in 0..<n { out[i] = Float(base.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)) }
        case "U8": for i in 0..<n { out[i] = Float(base.load(fromByteOffset: i, as: UInt8.self)) }
        case "BOOL": for i in 0..<n { out[i] = base.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0 }
        default: break                       // unreachable: dtypes are checked before conversion
        }
    }

    /// IEEE half precision bits to Float (normals, subnormals, inf, NaN).
    @inlinable
    public static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            // Subnormal (or zero): mantissa * 2^-24.
            let v = Float(mantissa) * (1.0 / 16_777_216.0)
            return Float(bitPattern: v.bitPattern | sign)
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }

    // MARK: - Writing

    /// The bytes of a safetensors file holding `entries` (F32) in the given order.
    public static func encode(_ entries: [(name: String, tensor: Tensor)],
                              metadata: [String: String] = [:]) throws -> [UInt8] {
        let header = try headerBytes(entries, metadata: metadata)
        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + entries.reduce(0) { $0 + $1.tensor.count * 4 })
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for e in entries {
            let c = e.tensor.contiguous()
            withExtendedLifetime(c) {
                out.append(contentsOf: UnsafeRawBufferPointer(start: c.storage.pointer + c.offset, count: c.count * 4))
            }
        }
        return out
    }

    /// Writes `entries` (F32, in the given order) atomically to `path`.
    public static func write(_ entries: [(name: String, tensor: Tensor)],
                             metadata: [String: String] = [:], to path: String) throws {
        let header = try headerBytes(entries, metadata: metadata)
        try AtomicFile.write(to: path) { w in
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try w.write($0) }
            try header.withUnsafeBytes { try w.write($0) }
            for e in entries {
                let c = e.tensor.contiguous()
                try withExtendedLifetime(c) {
                    try w.write(UnsafeRawBufferPointer(start: c.storage.pointer + c.offset, count: c.count * 4))
                }
            }
        }
    }

    /// The JSON header, space-padded to a multiple of 8 bytes.
    static func headerBytes(_ entries: [(name: String, tensor: Tensor)], metadata: [String: String]) throws -> [UInt8] {
        try headerBytes(layout: entries.map { ($0.name, "F32", $0.tensor.shape, $0.tensor.count * 4) }, metadata: metadata)
    }

    /// The header for entries given as (name, dtype, shape, byte count).
    static func headerBytes(layout entries: [(name: String, dtype: String, shape: [Int], bytes: Int)],
                            metadata: [String: String]) throws -> [UInt8] {
        var seen = Set<String>()
        var parts: [String] = []
        if !metadata.isEmpty {
            let kv = metadata.sorted { $0.key < $1.key }.map { "\(JSONValue.quote($0.key)):\(JSONValue.quote($0.value))" }
            parts.append("\"__metadata__\":{\(kv.joined(separator: ","))}")
        }
        var offset = 0
        for e in entries {
            guard !e.name.isEmpty, e.name != "__metadata__" else {
                throw TensorError.invalidArgument(op: "safetensors", message: "invalid tensor name \"\(e.name)\"")
            }
            guard seen.insert(e.name).inserted else {
                throw TensorError.invalidArgument(op: "safetensors", message: "tensor name \"\(e.name)\" is used twice")
            }
            let bytes = e.bytes
            parts.append("\(JSONValue.quote(e.name)):{\"dtype\":\"\(e.dtype)\",\"shape\":[\(e.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        var header = Array("{\(parts.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        return header
    }
}

/// An array stored with its own dtype, bytes kept exactly (little-endian).
/// For state that must round-trip bit for bit (integer counters, Float64
/// sums, RNG words): `SafeTensors.writeRaw` / `readRaw`.
public struct SafeTensorsArray: Equatable, Sendable {
    public var name: String
    public var dtype: String
    public var shape: [Int]
    public var bytes: [UInt8]

    public init(name: String, dtype: String, shape: [Int], bytes: [UInt8]) {
        self.name = name; self.dtype = dtype; self.shape = shape; self.bytes = bytes
    }

    /// An array of plain numbers (Float, Double, Int32, Int64, UInt8);
    /// 1-d unless a shape holding exactly `values.count` elements is given.
    public init<T: BitwiseCopyable>(name: String, values: [T], shape: [Int]? = nil) {
        let dtype: String
        switch T.self {
        case is Float.Type: dtype = "F32"
        case is Double.Type: dtype = "F64"
        case is Int32.Type: dtype = "I32"
        case is Int64.Type: dtype = "I64"
        case is UInt8.Type: dtype = "U8"
        default: preconditionFailure("SafeTensorsArray: unsupported element type \(T.self) (caller bug)")
        }
        precondition(shape.map { Tensor.elementCount($0) == values.count } ?? true,
                     "SafeTensorsArray: shape does not hold the values (caller bug)")
        self.init(name: name, dtype: dtype, shape: shape ?? [values.count],
                  bytes: values.withUnsafeBytes { Array($0) })
    }

    /// The elements as `T`, which must match the dtype's size exactly.
    public func values<T: BitwiseCopyable>(as type: T.Type) throws -> [T] {
        let size = MemoryLayout<T>.size
        guard SafeTensors.dtypeSizes[dtype] == size, bytes.count % size == 0 else {
            throw TensorError.format(path: name, message: "array \"\(name)\" holds \(dtype), not \(T.self)")
        }
        let n = bytes.count / size
        return [T](unsafeUninitializedCapacity: n) { buf, count in
            bytes.withUnsafeBytes { src in
                UnsafeMutableRawBufferPointer(buf).copyMemory(from: src)
            }
            count = n
        }
    }
}

extension SafeTensors {
    /// Writes arrays with their own dtypes, atomically.
    public static func writeRaw(_ arrays: [SafeTensorsArray], metadata: [String: String] = [:], to path: String) throws {
        for a in arrays {
            guard let size = dtypeSizes[a.dtype] else {
                throw TensorError.invalidArgument(op: "safetensors", message: "unknown dtype \(a.dtype) for \"\(a.name)\"")
            }
            guard let n = Tensor.elementCount(a.shape), n * size == a.bytes.count else {
                throw TensorError.invalidArgument(op: "safetensors", message: "\"\(a.name)\": \(a.bytes.count) bytes do not fit shape \(a.shape) of \(a.dtype)")
            }
        }
        let header = try headerBytes(layout: arrays.map { ($0.name, $0.dtype, $0.shape, $0.bytes.count) }, metadata: metadata)
        try AtomicFile.write(to: path) { w in
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try w.write($0) }
            try header.withUnsafeBytes { try w.write($0) }
            for a in arrays { try a.bytes.withUnsafeBytes { try w.write($0) } }
        }
    }
}

/// Writes a file atomically: a temporary file in the same directory, written
/// fully, fsynced, then renamed over the target (and the directory fsynced),
/// so readers see the old file or the whole new one, never a part.
public enum AtomicFile {
    /// Sequential writer handed to `write(to:_:)`'s body.
    public struct Writer {
        let fd: Int32
        let path: String

        /// Appends bytes (retrying short writes and interrupted calls).
        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard var p = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let n = Glibc.write(fd, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw TensorError.io(path: path, message: "write failed: \(errnoText())")
                }
                left -= n
                p += n
            }
        }
    }

    private static let counter = Counter()
    private final class Counter: @unchecked Sendable {
        private var value = 0
        private var lock = pthread_mutex_t()
        init() { pthread_mutex_init(&lock, nil) }
        func next() -> Int {
            pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
            value += 1
            return value
        }
    }

    /// Writes the bytes `body` produces to `path` atomically.
    public static func write(to path: String, _ body: (Writer) throws -> Void) throws {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !base.isEmpty else { throw TensorError.io(path: path, message: "not a file path") }
        let temp = (dir.isEmpty ? "" : dir + "/") + ".\(base).tmp-\(getpid())-\(counter.next())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TensorError.io(path: path, message: "cannot create \(temp): \(errnoText())") }
        var done = false
        defer { if !done { unlink(temp) } }
        do {
            try body(Writer(fd: fd, path: path))
            guard fsync(fd) == 0 else { throw TensorError.io(path: path, message: "fsync failed: \(errnoText())") }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw TensorError.io(path: path, message: "close failed: \(errnoText())") }
        guard rename(temp, path) == 0 else { throw TensorError.io(path: path, message: "rename failed: \(errnoText())") }
        done = true
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { w in try bytes.withUnsafeBytes { try w.write($0) } }
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
        try write(to: path) { w in try w.write(bytes) }
    }
}

/// The text of the current errno.
func errnoText() -> String { String(cString: strerror(errno)) }
