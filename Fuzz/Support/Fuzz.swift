// Fuzz: what every libFuzzer target in Fuzz/Targets shares: handing
// libFuzzer the callback, a scratch file for readers that take a path, the
// seed-writing mode, and the rule that says what counts as a finding.
//
// The rule. An input may be refused with one of lfr's user-facing errors
// (TensorError, ModelError, DataError, ScheduleError, ScriptError and
// ScriptExit); a trap, a sanitizer report, a leak, a hang, a memory blow-up
// (libFuzzer's -rss_limit_mb / -malloc_limit_mb) or an error of any other
// type (an internal error that would reach a user) is a finding.
//
// Seeds. `<target> --write-seeds DIR` writes the target's synthetic seed
// inputs into DIR and exits (scripts/fuzz uses it to make the committed
// corpora); any other arguments go to libFuzzer.
import CFuzz
import Data
import Models
import Schedules
import Script
import TensorCore
#if canImport(Glibc)
import Glibc
#endif

public enum Fuzz {
    nonisolated(unsafe) static var body: ((UnsafeRawBufferPointer) -> Void)?

    /// Writes `seeds()` when asked to (see the file header), else runs
    /// libFuzzer with `body` as the callback; never returns.
    public static func main(seeds: () throws -> [(name: String, bytes: [UInt8])],
                            _ body: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
        let args = CommandLine.arguments
        if args.count == 3, args[1] == "--write-seeds" {
            do {
                for s in try seeds() { try write(s.bytes, to: args[2] + "/" + s.name) }
            } catch {
                fputs("cannot write seeds: \(error)\n", stderr)
                exit(1)
            }
            exit(0)
        }
        Fuzz.body = body
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            Fuzz.body!(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
        exit(status)
    }

    /// Runs `body`, accepting lfr's user-facing errors and stopping the
    /// process (a finding libFuzzer records) on any other error.
    public static func expectingUserErrors(_ what: String, _ body: () throws -> Void) {
        do {
            try body()
        } catch is TensorError {
        } catch is ModelError {
        } catch is DataError {
        } catch is ScheduleError {
        } catch is ScriptError {
        } catch is ScriptExit {
        } catch {
            fatalError("\(what): an error that is not a user error: \(type(of: error)): \(error)")
        }
    }

    /// Stops the process (a finding) when a property of an accepted input fails.
    public static func require(_ ok: Bool, _ message: @autoclosure () -> String) {
        if !ok { fatalError(message()) }
    }

    /// The scratch folder: $LFR_FUZZ_SCRATCH (scripts/fuzz makes one per
    /// target and removes it afterwards), else one per process in /tmp.
    public static let scratchFolder: String = {
        if let s = getenv("LFR_FUZZ_SCRATCH") { return String(cString: s) }
        let dir = "/tmp/lfr-fuzz-\(getpid())"
        mkdir(dir, 0o700)
        return dir
    }()

    /// The path of a scratch file `name` holding `bytes` (rewritten per input).
    public static func scratchFile(_ name: String, _ bytes: UnsafeRawBufferPointer) -> String {
        let path = scratchFolder + "/" + name
        do { try write(bytes, to: path) } catch { fatalError("scratch file \(path): \(error)") }
        return path
    }

    /// The whole file at `path` (seed makers read back what lfr wrote).
    public static func readBytes(_ path: String) throws -> [UInt8] {
        guard let f = fopen(path, "rb") else { throw TensorError.io(path: path, message: String(cString: strerror(errno))) }
        defer { fclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n == 0 { break }
            out += chunk[0..<n]
        }
        return out
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        try bytes.withUnsafeBytes { try write($0, to: path) }
    }

    static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
        guard let f = fopen(path, "wb") else { throw TensorError.io(path: path, message: String(cString: strerror(errno))) }
        defer { fclose(f) }
        if bytes.count > 0, fwrite(bytes.baseAddress, 1, bytes.count, f) != bytes.count {
            throw TensorError.io(path: path, message: "short write")
        }
    }
}
