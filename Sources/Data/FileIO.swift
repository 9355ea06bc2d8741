// FileIO: the few file operations the Data module needs: atomic writes
// (through TensorCore's AtomicFile, so a killed process never leaves a
// half-written file) and read-only memory maps.
import TensorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum FileIO {
    static func errorText() -> String { String(cString: strerror(errno)) }

    /// Writes a file through `body`, which may call `write` any number of
    /// times, atomically: TensorCore's `AtomicFile` (the one atomic writer:
    /// exclusive temporary file, fsync, rename, directory fsync), with its
    /// errors as Data's.
    static func writeAtomically(
        path: String, _ body: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        do {
            try AtomicFile.write(to: path) { w in try body { try w.write($0) } }
        } catch let e as TensorError {
            throw DataError.io(path: path, message: "\(e)")
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
