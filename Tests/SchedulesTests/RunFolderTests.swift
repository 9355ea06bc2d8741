// Regression tests for run folders: a resume from an older checkpoint trims
// metrics.jsonl back to the checkpoint's step (no repeated or stale lines),
// and stale temporary files of a killed writer are removed.
import Foundation
import Testing
@testable import Schedules
import TensorCore

@Suite struct RunFolderTests {
    @Test func resumeFromAnOlderCheckpointTrimsMetrics() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lfr-trim-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let older = dir + "-step4.run"
        defer { try? FileManager.default.removeItem(atPath: older) }
        do {
            let run = try makeRun(out: dir)
            #expect(try run.advance(stopWhen: { $0.step == 4 }) == .interrupted)
            try FileManager.default.copyItem(atPath: dir + "/checkpoint.run", toPath: older)
            #expect(try run.advance() == .finished)
        }
        FileManager.default.createFile(atPath: dir + "/.blocks.csv.tmp-999999-1", contents: Data([1]))
        let back = try Run.load(path: older, data: try syntheticDataset(), schedule: paperSchedule()) { $0.out = dir }
        #expect(try back.advance() == .finished)
        let lines = try String(contentsOfFile: dir + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        var steps: [Int] = []
        for l in lines {
            guard case .object(let f) = try JSONValue.parse(String(l)), f.first(where: { $0.0 == "event" }) == nil,
                  case .int(let s)? = f.first(where: { $0.0 == "step" })?.1 else { continue }
            steps.append(s)
        }
        #expect(steps == steps.sorted() && Set(steps).count == steps.count, "repeated steps: \(steps)")
        #expect(lines.filter { $0.contains("\"event\":\"end\"") }.count == 1)
        #expect(!FileManager.default.fileExists(atPath: dir + "/.blocks.csv.tmp-999999-1"))
    }
}
