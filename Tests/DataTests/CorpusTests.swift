// CorpusTests: loading files, folders and lists; UTF-8 validation against
// Swift's own validator; every bad-input error names its cause and file.
import Foundation
import Testing
@testable import Data
import TensorCore

@Suite struct CorpusTests {
    @Test func singleFile() throws {
        try withTempDir { dir in
            try writeFile(dir + "/a.txt", "hello\nworld\n")
            let c = try Corpus.load(dir + "/a.txt")
            #expect(c.bytes == Array("hello\nworld\n".utf8))
            #expect(c.documents.count == 1)
            #expect(c.documents[0].range == 0..<12)
        }
    }

    @Test func folderIsRecursiveSortedAndKeepsBoundaries() throws {
        try withTempDir { dir in
            try writeFile(dir + "/b.txt", "BBB")
            try writeFile(dir + "/a.txt", "A")
            try writeFile(dir + "/sub/c.txt", "CC")
            try writeFile(dir + "/Z.txt", "z")
            try writeFile(dir + "/notes.md", "not text")       // skipped: not .txt
            try writeFile(dir + "/.hidden.txt", "hidden")       // skipped: hidden
            let c = try Corpus.load(dir)
            // Byte order: uppercase before lowercase, "sub/c.txt" after "b.txt".
            #expect(c.documents.map { ($0.name as NSString).lastPathComponent } == ["Z.txt", "a.txt", "b.txt", "c.txt"])
            #expect(String(decoding: c.bytes, as: UTF8.self) == "zABBBCC")
            #expect(c.documents.map(\.range) == [0..<1, 1..<2, 2..<5, 5..<7])
        }
    }

    @Test func listOfFilesKeepsGivenOrder() throws {
        try withTempDir { dir in
            try writeFile(dir + "/1.txt", "one")
            try writeFile(dir + "/2.dat", "two")
            let c = try Corpus.load(paths: [dir + "/2.dat", dir + "/1.txt"])
            #expect(String(decoding: c.bytes, as: UTF8.self) == "twoone")
            #expect(c.documents.count == 2)
        }
    }

    @Test func validatorAgreesWithSwiftOnRandomInput() {
        // Mostly-valid inputs with random corruption, and pure random bytes.
        for seed in UInt64(0)..<300 {
            var g = RandomGenerator(seed: seed)
            var bytes: [UInt8]
            if seed % 2 == 0 {
                bytes = Array(trickyStrings[Int(seed / 2) % trickyStrings.count].utf8) + Array("tail ok".utf8)
                if !bytes.isEmpty {
                    for _ in 0..<g.nextInt(below: 3) {
                        bytes[g.nextInt(below: bytes.count)] = UInt8(truncatingIfNeeded: g.next())
                    }
                }
                if seed % 6 == 0 && bytes.count > 2 { bytes.removeLast(g.nextInt(below: 3)) }
            } else {
                bytes = randomBytes(1 + Int(seed % 40), seed: seed)
            }
            let ours = bytes.withUnsafeBufferPointer(UTF8Validation.firstInvalidOffset)
            let swiftValid = String(validating: bytes, as: UTF8.self) != nil
            #expect((ours == nil) == swiftValid, "seed \(seed): \(bytes)")
            if let bad = ours {
                // Everything before the reported offset is valid on its own.
                #expect(String(validating: bytes[..<bad], as: UTF8.self) != nil)
            }
        }
    }

    @Test func knownInvalidSequences() {
        let cases: [([UInt8], Int)] = [
            ([0x61, 0x80], 1),              // stray continuation
            ([0xC0, 0xAF], 0),              // overlong '/'
            ([0xE0, 0x80, 0xAF], 0),        // overlong 3-byte
            ([0xED, 0xA0, 0x80], 0),        // surrogate U+D800
            ([0xF4, 0x90, 0x80, 0x80], 0),  // above U+10FFFF
            ([0x61, 0x62, 0xE2, 0x82], 2),  // truncated at end
            ([0xFF], 0),
            (Array("0123456789abcdef".utf8) + [0xFE], 16),   // after the 8-byte fast path
        ]
        for (bytes, offset) in cases {
            #expect(bytes.withUnsafeBufferPointer(UTF8Validation.firstInvalidOffset) == offset, "\(bytes)")
        }
        #expect(Array("€𐍈ok".utf8).withUnsafeBufferPointer(UTF8Validation.firstInvalidOffset) == nil)
    }

    @Test func invalidUTF8NamesFileAndOffset() throws {
        try withTempDir { dir in
            try writeFile(dir + "/good.txt", "fine")
            try writeFile(dir + "/bad.txt", Array("abc".utf8) + [0xC3, 0x28] + Array("def".utf8))
            #expect(throws: DataError.invalidUTF8(path: dir + "/bad.txt", offset: 3)) { try Corpus.load(dir) }
            let message = "\(DataError.invalidUTF8(path: dir + "/bad.txt", offset: 3))"
            #expect(message.contains("bad.txt") && message.contains("byte offset 3"))
        }
    }

    @Test func missingAndEmpty() throws {
        try withTempDir { dir in
            #expect(throws: DataError.missingFile(path: dir + "/nope.txt")) { try Corpus.load(dir + "/nope.txt") }
            #expect(throws: DataError.missingFile(path: dir + "/nope")) { try Corpus.load(paths: [dir + "/nope"]) }
            // A folder with no .txt files, and one with only empty files.
            try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
            #expect(throws: DataError.emptyCorpus(path: dir + "/empty")) { try Corpus.load(dir + "/empty") }
            try writeFile(dir + "/blank/a.txt", "")
            #expect(throws: DataError.emptyCorpus(path: dir + "/blank")) { try Corpus.load(dir + "/blank") }
            #expect(throws: DataError.emptyCorpus(path: "<text>")) { try Corpus(text: "") }
        }
    }
}
