// Tests for safetensors: in-memory and file round trips, dtype conversions,
// every rejected malformed input, atomic writes, and interop with Python
// (the `safetensors` package when present, else numpy parsing the header).
import Testing
import Foundation
@testable import TensorCore

/// A fresh temporary directory for one test.
func temporaryDirectory() throws -> String {
    let dir = NSTemporaryDirectory() + "lfr-tensor-tests-\(getpid())-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// A safetensors file built by hand: header JSON text plus raw data bytes.
func handmade(_ header: String, _ data: [UInt8], claimedLength: UInt64? = nil) -> [UInt8] {
    let h = Array(header.utf8)
    var out: [UInt8] = []
    withUnsafeBytes(of: (claimedLength ?? UInt64(h.count)).littleEndian) { out.append(contentsOf: $0) }
    return out + h + data
}

func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

/// Runs python3 with a script; nil when python3 or numpy is unavailable.
func runPython(_ script: String, _ args: [String]) throws -> (status: Int32, output: String)? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script] + args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    do { try p.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    // 127: env found no python3; NO_NUMPY: the script found no numpy.
    if p.terminationStatus == 127 || text.contains("NO_NUMPY") { return nil }
    return (p.terminationStatus, text)
}

/// True when python3 with numpy runs here (the interop test needs it; it is
/// reported as skipped otherwise).
let pythonWithNumpy: Bool = {
    (try? runPython("import numpy", []))?.status == 0
}()

@Suite struct SafeTensorsTests {
    @Test func roundTripInMemory() throws {
        let a = sample([3, 4], seed: 1)
        let b = try Tensor.arange(6).reshape([2, 3]).T        // non-contiguous
        let s = Tensor(scalar: 7)
        let e = try Tensor.zeros([0, 5])
        let bytes = try SafeTensors.encode([("w", a), ("b.t", b), ("s", s), ("empty", e)],
                                           metadata: ["format": "pt", "note": "quote \" and \\ and \n"])
        #expect(bytes.count % 4 == 0)
        let f = try SafeTensors.decode(bytes: bytes)
        #expect(f.names == ["w", "b.t", "s", "empty"])
        #expect(f.metadata == ["format": "pt", "note": "quote \" and \\ and \n"])
        #expect(f.tensors["w"]?.toArray() == a.toArray() && f.tensors["w"]?.shape == [3, 4])
        #expect(f.tensors["b.t"]?.toArray() == b.toArray() && f.tensors["b.t"]?.shape == [3, 2])
        #expect(f.tensors["s"]?.shape == [] && f.tensors["s"]?.toArray() == [7])
        #expect(f.tensors["empty"]?.shape == [0, 5])
        #expect(f.dtypes["w"] == "F32")
        let headerLength = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(headerLength % 8 == 0)
    }

    @Test func fileRoundTripIsAtomic() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/m.safetensors"
        try SafeTensors.write([("x", sample([5, 5], seed: 2))], to: path)
        try SafeTensors.write([("x", sample([2], seed: 3)), ("y", Tensor(scalar: 1))], metadata: ["k": "v"], to: path)
        let f = try SafeTensors.read(path: path)
        #expect(f.names == ["x", "y"] && f.tensors["x"]?.toArray() == sample([2], seed: 3).toArray())
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["m.safetensors"])   // no temp files left
        #expect(tensorError { try SafeTensors.write([("x", Tensor(scalar: 1)), ("x", Tensor(scalar: 2))], to: path) } != nil)
        #expect(tensorError { try SafeTensors.write([("__metadata__", Tensor(scalar: 1))], to: path) } != nil)
        #expect(try SafeTensors.read(path: path).names == ["x", "y"])                              // old file intact
        if case .io? = tensorError({ try SafeTensors.read(path: dir + "/missing") }) {} else { Issue.record("missing file") }
        #expect(tensorError { try SafeTensors.write([("x", Tensor(scalar: 1))], to: dir + "/no/such/dir/f") } != nil)
    }

    @Test func dtypesConvertToFloat() throws {
        let f16: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x3555]
        let bf16: [UInt16] = [0x3F80, 0xC040, 0x4049]
        let header = """
        {"h":{"dtype":"F16","shape":[6],"data_offsets":[0,12]},
         "b":{"dtype":"BF16","shape":[3],"data_offsets":[12,18]},
         "i":{"dtype":"I32","shape":[2],"data_offsets":[18,26]},
         "l":{"dtype":"I64","shape":[1],"data_offsets":[26,34]},
         "u":{"dtype":"U8","shape":[2],"data_offsets":[34,36]},
         "c":{"dtype":"I8","shape":[1],"data_offsets":[36,37]},
         "o":{"dtype":"BOOL","shape":[2],"data_offsets":[37,39]},
         "d":{"dtype":"F64","shape":[1],"data_offsets":[39,47]},
         "s":{"dtype":"I16","shape":[1],"data_offsets":[47,49]}}
        """
        let data = bytes(f16) + bytes(bf16) + bytes([Int32(-7), 123456]) + bytes([Int64(-1) << 40])
            + [200, 3] + [0xFF] + [0, 5] + bytes([2.5]) + bytes([Int16(-300)])
        let f = try SafeTensors.decode(bytes: handmade(header, data))
        let h = f.tensors["h"]!.toArray()
        #expect(Array(h.prefix(4)) == [1, -2, 65504, 5.9604645e-08] && h[4] == .infinity)
        #expect(abs(h[5] - 0.333251953125) < 1e-9)
        #expect(f.tensors["b"]?.toArray() == [1, -3, 3.140625])
        #expect(f.tensors["i"]?.toArray() == [-7, 123456])
        #expect(f.tensors["l"]?.toArray() == [-1099511627776])
        #expect(f.tensors["u"]?.toArray() == [200, 3])
        #expect(f.tensors["c"]?.toArray() == [-1])
        #expect(f.tensors["o"]?.toArray() == [0, 1])
        #expect(f.tensors["d"]?.toArray() == [2.5])
        #expect(f.tensors["s"]?.toArray() == [-300])
        #expect(f.names == ["h", "b", "i", "l", "u", "c", "o", "d", "s"])
        #expect(f.dtypes["b"] == "BF16")
    }

    @Test func malformedFilesAreRejected() throws {
        func reason(_ b: [UInt8]) -> String {
            do { _ = try SafeTensors.decode(bytes: b, path: "f"); return "accepted" }
            catch let e as TensorError { return e.description } catch { return "other error" }
        }
        let ok = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"
        let eight = bytes([Float(1), 2])
        #expect(reason(handmade(ok, eight)) == "accepted")
        #expect(reason([1, 2, 3]).contains("truncated"))
        #expect(reason(handmade(ok, eight, claimedLength: 1_000_000_000_000_000)).contains("header claims 1000000000000000 bytes"))
        #expect(reason(handmade(ok, Array(eight.prefix(5)))).contains("run past the data section"))
        #expect(reason(handmade("{\"x\": nope}", [])).contains("not valid JSON"))
        #expect(reason(handmade("[1, 2]", [])).contains("not a JSON object"))
        #expect(reason(handmade("{\"x\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight)).contains("unknown dtype \"F33\""))
        #expect(reason(handmade("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight)).contains("needs 12"))
        #expect(reason(handmade("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", eight)) != "accepted")
        #expect(reason(handmade("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[2,10]}}", eight + eight)).contains("overlaps"))
        #expect(reason(handmade("{\"x\":{\"dtype\":\"F32\",\"shape\":[1000000000000000],\"data_offsets\":[0,4000000000000000]}}", eight)).contains("run past"))
        #expect(reason(handmade("{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,8]}}", eight)).contains("too large"))
        #expect(reason(handmade("{\"x\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", eight)).contains("non-negative"))
        #expect(reason(handmade("{\"x\":{\"dtype\":\"F32\",\"shape\":[2]}}", eight)).contains("data_offsets"))
        #expect(reason(handmade("{\"__metadata__\":{\"a\":1}}", [])).contains("not a string"))
        #expect(reason(handmade(String(repeating: "[", count: 10_000), [])).contains("not valid JSON"))
        #expect(reason(handmade("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"x\":{}}", eight)).contains("twice"))
        // Every prefix of a valid file is rejected cleanly (never a trap).
        let valid = try SafeTensors.encode([("a", sample([3, 3], seed: 4)), ("b", Tensor(scalar: 2))], metadata: ["m": "n"])
        for cut in 0..<valid.count { #expect(reason(Array(valid.prefix(cut))) != "accepted") }
    }

    @Test(.enabled(if: pythonWithNumpy, "python3 with numpy is not available"))
    func pythonReadsWhatLfrWritesAndTheReverse() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ours = dir + "/ours.safetensors", theirs = dir + "/theirs.safetensors"
        let w = sample([4, 3], seed: 5)
        try SafeTensors.write([("w", w), ("v", try Tensor.arange(5))], metadata: ["source": "lfr"], to: ours)
        let script = """
        import sys, json, struct
        try:
            import numpy as np
        except ImportError:
            print("NO_NUMPY"); sys.exit(0)
        ours, theirs, expected = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
        try:
            from safetensors.numpy import load_file, save_file
            got = load_file(ours); how = "safetensors"
        except ImportError:
            how = "numpy"
            raw = open(ours, "rb").read()
            n = struct.unpack("<Q", raw[:8])[0]; header = json.loads(raw[8:8 + n]); got = {}
            for k, v in header.items():
                if k == "__metadata__": continue
                b, e = v["data_offsets"]
                got[k] = np.frombuffer(raw[8 + n + b:8 + n + e], dtype="<f4").reshape(v["shape"])
        assert got["w"].shape == (4, 3) and got["w"].dtype == np.float32
        assert np.array_equal(got["w"].ravel(), np.array(expected, dtype=np.float32)), "w differs"
        assert np.array_equal(got["v"], np.arange(5, dtype=np.float32)), "v differs"
        data = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "h": np.array([0.5, -1], dtype=np.float16),
                "i": np.array([[7], [-8]], dtype=np.int64), "u": np.array([255], dtype=np.uint8)}
        if how == "safetensors":
            save_file(data, theirs, metadata={"by": "python"})
        else:
            tbl = {"float32": "F32", "float16": "F16", "int64": "I64", "uint8": "U8"}
            header, blobs, off = {"__metadata__": {"by": "python"}}, [], 0
            for k, a in data.items():
                b = a.tobytes(); header[k] = {"dtype": tbl[str(a.dtype)], "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
                off += len(b); blobs.append(b)
            h = json.dumps(header).encode(); h += b" " * (-len(h) % 8)
            open(theirs, "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
        print("OK", how)
        """
        let expected = "[" + w.toArray().map { "\($0)" }.joined(separator: ",") + "]"
        let result = try #require(try runPython(script, [ours, theirs, expected]), "python3 with numpy vanished")
        #expect(result.status == 0 && result.output.hasPrefix("OK"), "\(result.output)")
        print("python interop via \(result.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        let f = try SafeTensors.read(path: theirs)
        #expect(f.metadata == ["by": "python"])
        #expect(f.tensors["a"]?.shape == [2, 3] && f.tensors["a"]?.toArray() == [0, 1, 2, 3, 4, 5])
        #expect(f.tensors["h"]?.toArray() == [0.5, -1])
        #expect(f.tensors["i"]?.shape == [2, 1] && f.tensors["i"]?.toArray() == [7, -8])
        #expect(f.tensors["u"]?.toArray() == [255])
        #expect(Set(f.names) == ["a", "h", "i", "u"])
    }

    @Test func jsonReader() throws {
        let v = try JSONValue.parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\\u00e9\\ud83d\\ude00\": \"x\\ty\"} ")
        #expect(v == .object([("a", .array([.int(1), .double(-2500), .bool(true), .bool(false), .null])),
                              ("b\u{e9}\u{1F600}", .string("x\ty"))]))
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "\"a", "[1] 2", "tru", "\"\\ud800\""] {
            #expect(throws: JSONError.self) { try JSONValue.parse(bad) }
        }
        #expect(JSONValue.quote("a\"b\\\n\u{1}") == "\"a\\\"b\\\\\\n\\u0001\"")
    }
}
