// FileIO: the few POSIX file operations the Data module needs: atomic
// writes (temporary file renamed into place, so a killed process never
// leaves a half-written file) and read-only memory maps.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum FileIO {
    static func errorText() -> String { String(cString: strerror(errno)) }

    /// Writes a file through `body`, which may call `write` any number of
    /// times; the bytes land in `path.tmp-<pid>` and are renamed to `path`
    /// only when everything succeeded.
    static func writeAtomically(
        path: String, _ body: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        let tmp = "\(path).tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0 { throw DataError.io(path: path, message: "cannot create: \(errorText())") }
        var ok = false
        defer {
            if !ok { close(fd); unlink(tmp) }
        }
        try body { chunk in
            var done = 0
            while done < chunk.count {
                let r = Glibc.write(fd, chunk.baseAddress! + done, chunk.count - done)
                if r < 0 {
                    if errno == EINTR { continue }
                    throw DataError.io(path: path, message: "write failed: \(errorText())")
                }
                done += r
            }
        }
        if fsync(fd) != 0 { throw DataError.io(path: path, message: "fsync failed: \(errorText())") }
        ok = true
        if close(fd) != 0 { unlink(tmp); throw DataError.io(path: path, message: "close failed: \(errorText())") }
        if rename(tmp, path) != 0 {
            unlink(tmp)
            throw DataError.io(path: path, message: "cannot rename into place: \(errorText())")
        }
    }

    /// A read-only private map of a whole file; nil base for an empty file.
    final class Mapping: @unchecked Sendable {
        let base: UnsafeRawPointer?
        let length: Int

        init(path: String) throws {
            let fd = open(path, O_RDONLY)
            if fd < 0 {
                if errno == ENOENT { throw DataError.missingFile(path: path) }
                throw DataError.io(path: path, message: "cannot open: \(FileIO.errorText())")
            }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0 else {
                throw DataError.io(path: path, message: "cannot stat: \(FileIO.errorText())")
            }
            length = Int(st.st_size)
            if length == 0 { base = nil; return }
            guard let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
                throw DataError.io(path: path, message: "cannot memory-map: \(FileIO.errorText())")
            }
            base = UnsafeRawPointer(p)
        }

        deinit {
            if let base { munmap(UnsafeMutableRawPointer(mutating: base), length) }
        }
    }
}
