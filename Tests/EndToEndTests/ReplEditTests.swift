// ReplEditTests: `:edit` through a real pseudo-terminal. The "editor" is a
// shell script that rewrites the file it is given, as a user would in vi.
import Foundation
import Testing

@Suite(":edit")
struct ReplEditTests {
    @Test(":edit opens the last entry in $EDITOR and runs what the editor saved; a failing editor runs nothing")
    func editLastEntry() throws {
        let box = try Sandbox(); defer { box.cleanup() }
        // Turns `41` into `42` and appends a second line: a multi-line entry comes back.
        let editor = try box.write("edit.sh", "#!/bin/sh\nsed -i 's/41/42/' \"$1\"\nprintf 'answer * 2\\n' >> \"$1\"\n", executable: true)
        let failing = try box.write("fail.sh", "#!/bin/sh\nexit 3\n", executable: true)
        let r = try ptySession([
            .expect(prompt),
            .send("let answer = 41\r"),
            .expect(prompt),
            .send(":edit\r"),
            .expect("lfr> let answer = 42\\s*\\n\\.\\.\\.> answer \\* 2\\s*\\n84\\n"),
            .expect(prompt),
            .send("answer\r"),
            .expect("\\n42\\n"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box, env: ["EDITOR": editor])
        #expect(r.ok, "step \(r.failedStep.map(String.init) ?? "-"): \(r.reason)\n\(r.output)")
        // The edited entry is in the history, as typed entries are.
        let history = (try? String(contentsOfFile: box.historyPath, encoding: .utf8)) ?? ""
        #expect(history.contains("let answer = 42"), "history:\n\(history)")

        let r2 = try ptySession([
            .expect(prompt),
            .send("let x = 1\r"),
            .expect(prompt),
            .send(":edit\r"),
            .expect("exited with status 3: nothing run"),
            .expect(prompt),
            .send(":quit\r"),
            .waitExit(10),
        ], sandbox: box, env: ["VISUAL": failing, "EDITOR": editor])
        #expect(r2.ok, "step \(r2.failedStep.map(String.init) ?? "-"): \(r2.reason)\n\(r2.output)")
    }
}
