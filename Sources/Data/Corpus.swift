// Corpus: the raw text a dataset is made from, as one byte buffer plus the
// byte range of each document (file) in it.
//
// What stays true: `bytes` is valid UTF-8 (checked at load, with an error
// naming the file and byte offset); `documents` are in load order, their
// ranges tile `bytes` exactly, in order, with no separators between them.
// A folder is read recursively: every regular `*.txt` file under it (hidden
// files and folders skipped), sorted by relative path in byte order, so the
// same folder always gives the same corpus.
import Foundation

/// Text to train on: concatenated documents with their boundaries kept.
public final class Corpus: @unchecked Sendable {
    /// One document (usually one file) of the corpus.
    public struct Document: Sendable, Equatable {
        /// The file path (or a given name for in-memory text).
        public let name: String
        /// Its bytes within `Corpus.bytes`.
        public let range: Range<Int>
    }

    /// All documents' bytes, concatenated (valid UTF-8).
    public let bytes: [UInt8]
    /// The documents, in order; their ranges tile `bytes`.
    public let documents: [Document]
    /// What the corpus was loaded from (for summaries and errors).
    public let source: String

    /// Total bytes.
    public var byteCount: Int { bytes.count }

    /// Builds a corpus from named byte buffers, validating UTF-8 and rejecting
    /// an empty result.
    public init(documents parts: [(name: String, bytes: [UInt8])], source: String? = nil) throws {
        var all = [UInt8]()
        all.reserveCapacity(parts.reduce(0) { $0 + $1.bytes.count })
        var docs = [Document]()
        docs.reserveCapacity(parts.count)
        for part in parts {
            if let bad = part.bytes.withUnsafeBufferPointer(UTF8Validation.firstInvalidOffset) {
                throw DataError.invalidUTF8(path: part.name, offset: bad)
            }
            let start = all.count
            all.append(contentsOf: part.bytes)
            docs.append(Document(name: part.name, range: start..<all.count))
        }
        let src = source ?? (parts.count == 1 ? parts[0].name : "\(parts.count) documents")
        if all.isEmpty { throw DataError.emptyCorpus(path: src) }
        self.bytes = all
        self.documents = docs
        self.source = src
    }

    /// A one-document corpus from in-memory text.
    public convenience init(text: String, name: String = "<text>") throws {
        try self.init(documents: [(name, Array(text.utf8))], source: name)
    }

    /// Loads a file, or every `*.txt` file under a folder (recursively, sorted).
    public static func load(_ path: String) throws -> Corpus {
        try load(paths: [path], source: path)
    }

    /// Loads several paths in the given order; each is a file (any name) or
    /// a folder (its `*.txt` files, recursively, sorted).
    public static func load(paths: [String], source: String? = nil) throws -> Corpus {
        if paths.isEmpty { throw DataError.emptyCorpus(path: source ?? "[]") }
        var files = [String]()
        for p in paths { files.append(contentsOf: try expand(p)) }
        if files.isEmpty { throw DataError.emptyCorpus(path: source ?? paths.joined(separator: ", ")) }
        var parts = [(name: String, bytes: [UInt8])]()
        parts.reserveCapacity(files.count)
        for f in files { parts.append((f, try readFile(f))) }
        return try Corpus(documents: parts, source: source ?? (paths.count == 1 ? paths[0] : paths.joined(separator: ", ")))
    }

    /// The files a path stands for: itself, or the sorted `*.txt` files under it.
    static func expand(_ path: String) throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw DataError.missingFile(path: path)
        }
        if !isDir.boolValue { return [path] }
        guard let walker = FileManager.default.enumerator(
            at: URL(fileURLWithPath: path, isDirectory: true),
            includingPropertiesForKeys: [.isRegularFileKey],
            options: [.skipsHiddenFiles]) else {
            throw DataError.io(path: path, message: "cannot list the folder")
        }
        let root = path.hasSuffix("/") ? path : path + "/"
        let rootLength = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL.path.count
        var found = [(relative: String, full: String)]()
        for case let url as URL in walker {
            guard url.pathExtension == "txt",
                  (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let full = url.standardizedFileURL.path
            let relative = String(full.dropFirst(min(full.count, rootLength + 1)))
            found.append((relative, root + relative))
        }
        // Byte order of the relative paths: independent of locale and of the
        // order the file system lists entries in.
        found.sort { $0.relative.utf8.lexicographicallyPrecedes($1.relative.utf8) }
        return found.map(\.full)
    }

    /// Reads a whole file with POSIX calls (no Foundation buffers in between).
    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            if errno == ENOENT { throw DataError.missingFile(path: path) }
            throw DataError.io(path: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw DataError.io(path: path, message: "cannot stat: \(String(cString: strerror(errno)))")
        }
        let size = Int(st.st_size)
        var result = [UInt8](repeating: 0, count: size)
        var done = 0
        try result.withUnsafeMutableBytes { buf in
            while done < size {
                let r = read(fd, buf.baseAddress! + done, size - done)
                if r < 0 {
                    if errno == EINTR { continue }
                    throw DataError.io(path: path, message: "read failed: \(String(cString: strerror(errno)))")
                }
                if r == 0 { break }
                done += r
            }
        }
        if done < size { result.removeLast(size - done) }
        return result
    }
}
