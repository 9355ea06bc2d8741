// Regression tests: a tampered run file (array of the wrong dtype or shape,
// counters out of range) is refused by Run.load with a clear error.
import Testing
import Foundation
@testable import Schedules
import TensorCore

@Suite struct RunFileTamperTests {
    @Test func tamperedArraysAndCountersAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lfr-tamper-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let run = try makeRun()
        #expect(try run.advance(stopWhen: { $0.step == 5 }) == .interrupted)
        let path = dir + "/run.safetensors"
        try run.save(to: path)
        #expect(try Run.load(path: path, data: run.data, schedule: paperSchedule()).step == 5)
        let (arrays, meta) = try SafeTensors.readRaw(path: path)

        func refused(_ arrays: [SafeTensorsArray], _ meta: [String: String], _ words: String) throws {
            let bad = dir + "/bad.safetensors"
            try SafeTensors.writeRaw(arrays, metadata: meta, to: bad)
            do {
                _ = try Run.load(path: bad, data: run.data, schedule: paperSchedule())
                Issue.record("a tampered run file loaded (\(words))")
            } catch let e as ScheduleError {
                #expect(e.description.contains(words))
            }
        }
        // stats.seen stored as F32 (same byte size as I32).
        try refused(arrays.map { $0.name == "stats.seen" ? SafeTensorsArray(name: $0.name, dtype: "F32", shape: $0.shape, bytes: $0.bytes) : $0 },
                    meta, "expected I32")
        // A model matrix stored with its elements in another shape.
        let i = arrays.firstIndex { $0.name.hasPrefix("model.") && $0.shape.count == 2 && $0.shape[0] % 2 == 0 }!
        var reshaped = arrays
        reshaped[i].shape = [arrays[i].shape[0] / 2, arrays[i].shape[1] * 2]
        try refused(reshaped, meta, "expected \(arrays[i].shape)")
        var m = meta
        m["run.step_in_phase"] = "1000000"
        try refused(arrays, m, "out of range")
        m = meta
        m["run.step"] = "-3"
        try refused(arrays, m, "out of range")
        m = meta
        m["trainer.batch"] = "0"
        try refused(arrays, m, "batch must be >= 1")
    }
}
