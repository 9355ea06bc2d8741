// BatchRunner: the non-interactive front end (`lfr-repl FILE`, `-e CODE`,
// stdin), kept in the library so lfr-repl's main stays a few lines and the
// REPL issue can replace it. Also the helper that runs work on a thread with
// a large stack.
// What stays true here: every failure becomes an exit code (0 ok, 1 script
// error, 2 usage, 130 interrupted, exit(n) -> n) and a message on stderr.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum BatchRunner {
    public static let usage = """
    usage: lfr-repl FILE [ARGS...]    run a script (args holds ARGS)
           lfr-repl -e CODE           evaluate CODE and print its value
           lfr-repl < FILE            run standard input as a script
    """

    /// Runs the command line `argv` (argv[0] is the program); returns the exit code.
    public static func main(_ argv: [String]) -> Int32 {
        let args = Array(argv.dropFirst())
        // The main thread: its stack (8 MB) is ample for the bounded parser
        // and callback nesting, and malloc's main arena is faster than a
        // secondary thread's.
        return run(args)
    }

    static func run(_ args: [String]) -> Int32 {
        func fail(_ message: String) -> Int32 { fputs(message + "\n", stderr); return 2 }
        do {
            if let first = args.first {
                switch first {
                case "-h", "--help": print(usage); return 0
                case "-e":
                    guard args.count >= 2 else { return fail("lfr-repl: -e needs code\n" + usage) }
                    let interp = try Interpreter(arguments: Array(args.dropFirst(2)))
                    let v = try interp.evaluate(args[1], file: "<-e>")
                    if case .nil = v {} else { interp.output(interp.render(v) + "\n") }
                    return 0
                case "-":
                    let interp = try Interpreter(arguments: Array(args.dropFirst()))
                    try interp.evaluate(readAll(stdin), file: "<stdin>")
                    return 0
                default:
                    if first.hasPrefix("-") { return fail("lfr-repl: unknown option \(first)\n" + usage) }
                    let interp = try Interpreter(arguments: Array(args.dropFirst()))
                    try interp.evaluateFile(first)
                    return 0
                }
            }
            if isatty(0) != 0 {
                return fail("lfr-repl: the interactive REPL is not built yet; give a FILE or -e CODE\n" + usage)
            }
            let interp = try Interpreter()
            try interp.evaluate(readAll(stdin), file: "<stdin>")
            return 0
        } catch let e as ScriptExit {
            return e.code
        } catch let e as ScriptError {
            fflush(stdout)
            fputs(e.rendered(color: false) + "\n", stderr)
            return e.kind == .interrupted ? 130 : 1
        } catch {
            fputs("lfr-repl: \(error)\n", stderr)
            return 1
        }
    }

    static func readAll(_ f: UnsafeMutablePointer<FILE>) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

private final class StackJob {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Runs `body` on a new thread with a 512 MB stack (reserved, not committed)
/// and waits for it, so deep parser, compiler or native-callback nesting can
/// never overflow the native stack of a small thread.
public func runOnLargeStack(_ body: () -> Void) {
    withoutActuallyEscaping(body) { escapable in
        let job = StackJob(escapable)
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setstacksize(&attr, 512 << 20)
        let ctx = Unmanaged.passRetained(job).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attr, { ctx in
            let job = Unmanaged<StackJob>.fromOpaque(ctx!).takeRetainedValue()
            job.body()
            return nil
        }, ctx)
        if rc != 0 {
            Unmanaged<StackJob>.fromOpaque(ctx).release()
            escapable()   // could not make a thread: run here
            return
        }
        pthread_join(thread, nil)
    }
}
