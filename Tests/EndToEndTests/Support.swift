// Support: running the built lfr-repl from tests, as a batch process (pipes)
// or through a real pseudo-terminal (PtyDriver.swift, Python's pty module).
// What stays true here: every run has a deadline (a hang fails the test
// instead of blocking CI); every run gets its own temporary HOME, so history
// and start-up files of the machine are never read or written.
import Foundation
import Testing

enum LfrBinary {
    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// $LFR_REPL_BIN, else the build of the configuration the tests run in.
    static var path: String {
        if let env = ProcessInfo.processInfo.environment["LFR_REPL_BIN"], !env.isEmpty { return env }
        #if DEBUG
        let preferred = ["debug", "release"]
        #else
        let preferred = ["release", "debug"]
        #endif
        for config in preferred {
            let p = packageRoot.appendingPathComponent(".build/\(config)/lfr-repl").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return packageRoot.appendingPathComponent(".build/release/lfr-repl").path
    }
}

/// A fresh temporary folder (used as HOME and working directory), removed by `cleanup`.
struct Sandbox {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("lfr-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    var historyPath: String { dir.appendingPathComponent("history").path }

    /// The environment of a run: only what the tests decide.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env: [String: String] = [
            "HOME": dir.path,
            "LFR_HISTORY": historyPath,
            "PATH": "/usr/bin:/bin",
            "TERM": "xterm",
            "LANG": "C.UTF-8",
        ]
        if let stdlib = ProcessInfo.processInfo.environment["LFR_STDLIB"] { env["LFR_STDLIB"] = stdlib }
        for (k, v) in extra { env[k] = v }
        return env
    }

    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
        return url.path
    }

    func read(_ name: String) -> String? {
        try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
    }

    func cleanup() {
        try? FileManager.default.removeItem(at: dir)
    }
}

/// The result of a batch run.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

struct Timeout: Error, CustomStringConvertible {
    var description: String
}

/// Bytes read by a reader thread (handed over through DispatchGroup.wait).
private final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// Runs `executable args` with `stdin` text; kills it after `timeout` seconds.
func runProcess(_ executable: String, _ args: [String], stdin: String = "", env: [String: String],
                cwd: URL? = nil, timeout: Double = 30) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = args
    process.environment = env
    if let cwd { process.currentDirectoryURL = cwd }
    let input = Pipe(), output = Pipe(), errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    let finished = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in finished.signal() }
    try process.run()
    // Read both streams concurrently so a chatty process cannot block on a full pipe.
    let outData = DataBox(), errData = DataBox()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { outData.data = output.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { errData.data = errors.fileHandleForReading.readDataToEndOfFile() }
    input.fileHandleForWriting.write(stdin.data(using: .utf8)!)
    try? input.fileHandleForWriting.close()
    if finished.wait(timeout: .now() + timeout) == .timedOut {
        process.terminate()
        kill(process.processIdentifier, SIGKILL)
        throw Timeout(description: "\(executable) \(args) did not finish within \(timeout) s")
    }
    group.wait()
    return RunResult(status: process.terminationStatus,
                     stdout: String(decoding: outData.data, as: UTF8.self),
                     stderr: String(decoding: errData.data, as: UTF8.self))
}

/// Runs lfr-repl in batch mode in a fresh sandbox.
func lfr(_ args: [String], stdin: String = "", env extra: [String: String] = [:], sandbox: Sandbox? = nil) throws -> RunResult {
    let box = try sandbox ?? Sandbox()
    defer { if sandbox == nil { box.cleanup() } }
    return try runProcess(LfrBinary.path, args, stdin: stdin, env: box.environment(extra), cwd: box.dir)
}

// MARK: - Pseudo-terminal sessions

/// One step of a terminal session (see PtyDriver.swift).
enum PtyStep {
    case send(String)
    case expect(String, timeout: Double = 10)
    case interrupt
    case sleep(Double)
    case waitExit(Double)
    /// Sets the terminal's width (the program gets SIGWINCH).
    case resize(columns: Int)

    var json: [String: Any] {
        switch self {
        case .send(let s): return ["send": s]
        case .expect(let r, let t): return ["expect": r, "timeout": t]
        case .interrupt: return ["interrupt": true]
        case .sleep(let s): return ["sleep": s]
        case .waitExit(let s): return ["wait_exit": s]
        case .resize(let c): return ["resize": c]
        }
    }
}

struct PtyResult {
    var ok: Bool
    var reason: String
    var failedStep: Int?
    /// The transcript without escape sequences and carriage returns.
    var output: String
    /// The transcript as the terminal received it.
    var raw: String
    var exitCode: Int?
}

/// The prompt as a regular expression (at the start of a line).
let prompt = "(?m)^lfr> "
let continuation = "(?m)^\\.\\.\\.> "

/// Drives lfr-repl through a pseudo-terminal.
func ptySession(_ steps: [PtyStep], args: [String] = [], sandbox: Sandbox, env extra: [String: String] = [:],
                columns: Int = 100) throws -> PtyResult {
    let spec: [String: Any] = [
        "cols": columns,
        "argv": [LfrBinary.path] + args,
        "env": sandbox.environment(extra),
        "cwd": sandbox.dir.path,
        "steps": steps.map(\.json),
    ]
    let input = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
    let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "/usr/bin/env"
    let pyArgs = (python == "/usr/bin/env" ? ["python3"] : []) + ["-c", ptyDriverSource]
    var env = ProcessInfo.processInfo.environment
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    let run = try runProcess(python, pyArgs, stdin: input, env: env, timeout: 90)
    guard let data = run.stdout.data(using: .utf8),
          let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        return PtyResult(ok: false, reason: "driver failed: \(run.stderr)", failedStep: nil, output: run.stdout, raw: "", exitCode: nil)
    }
    return PtyResult(ok: obj["ok"] as? Bool ?? false,
                     reason: obj["reason"] as? String ?? "",
                     failedStep: obj["failed_step"] as? Int,
                     output: obj["output"] as? String ?? "",
                     raw: obj["raw"] as? String ?? "",
                     exitCode: obj["exit"] as? Int)
}
