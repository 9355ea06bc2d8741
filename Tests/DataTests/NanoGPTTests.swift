// NanoGPTTests: .bin files written and read back, folders with
// tokenizer.json, odd lengths, ids outside the vocabulary, and a 1 GB token
// file that opens without being read (checked with mincore: no page of the
// map is resident after opening, so the check is not timing-based).
import Foundation
import Testing
@testable import Data
import TensorCore
#if canImport(Glibc)
import Glibc
#endif

/// Pages of `[base, base + length)` that are resident in memory.
func residentPages(_ base: UnsafeRawPointer, _ length: Int) -> Int {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let pages = (length + page - 1) / page
    var vec = [UInt8](repeating: 0, count: pages)
    let rc = mincore(UnsafeMutableRawPointer(mutating: base), length, &vec)
    precondition(rc == 0, "mincore failed in the test")
    return vec.reduce(0) { $0 + Int($1 & 1) }
}

@Suite struct NanoGPTTests {
    @Test func binWrittenAndReadBack() throws {
        try withTempDir { dir in
            let ids: [Int] = [0, 1, 255, 256, 65_535, 4242, 7]
            try NanoGPT.writeBin(ids, to: dir + "/t.bin")
            // Flat little-endian uint16, no header.
            let raw = try Corpus.readFile(dir + "/t.bin")
            #expect(raw.count == 14)
            #expect(Array(raw[4..<8]) == [0xFF, 0x00, 0x00, 0x01])
            let store = try NanoGPT.openBin(dir + "/t.bin")
            #expect(store.count == 7 && store.width == .u16)
            #expect(store.ids(0..<7) == ids)
            #expect(throws: DataError.self) { try NanoGPT.writeBin([65_536], to: dir + "/big.bin") }
            #expect(throws: DataError.self) { try NanoGPT.writeBin([-1], to: dir + "/neg.bin") }
        }
    }

    @Test func datasetFolderRoundTrip() throws {
        try withTempDir { dir in
            let corpus = try Corpus(text: syntheticText(words: 1500, seed: 4))
            let d = try Dataset(corpus: corpus, tokenizer: .bpe(vocab: 400), context: 16, val: 0.1, seed: 2)
            try d.writeBins(folder: dir + "/bins")
            let back = try Dataset(binFolder: dir + "/bins", context: 16)
            #expect(back.tokenizer?.kind == "bpe")
            #expect(back.vocabSize == d.vocabSize)
            #expect(back.info.split == "file")
            // Every written token came from a block: the files hold the
            // blocks' tokens, consecutive blocks sharing their boundary token.
            let trainTokens = Set(try d.trainIDs.flatMap { try d.block(Int($0)) })
            #expect(back.stores[0].ids(0..<back.stores[0].count).allSatisfy { trainTokens.contains($0) })
            // A stretch of consecutive train blocks reads back as the same blocks.
            var runEnd = 0
            while runEnd + 1 < d.trainIDs.count && d.trainIDs[runEnd + 1] == d.trainIDs[runEnd] + 1 { runEnd += 1 }
            for k in 0...runEnd { #expect(try back.block(k) == d.block(Int(d.trainIDs[k]))) }
            // Same token count: train stretches + val stretches.
            let expected = d.tokenRanges(of: d.trainIDs).reduce(0) { $0 + $1.range.count }
            #expect(back.stores[0].count == expected)
            #expect(try back.decode(back.block(0)) == d.decode(d.block(Int(d.trainIDs[0]))))
        }
    }

    @Test func tensorDatasetToBinsAndBack() throws {
        try withTempDir { dir in
            let d = try Dataset(tokens: try rampTensor(2001), context: 20)
            try d.writeBins(folder: dir)
            let back = try Dataset(binFolder: dir, context: 20, vocab: 2001)
            #expect(back.blockCount == d.blockCount)
            for i in [0, 50, 99] { #expect(try back.block(i) == d.block(i)) }
            #expect(back.tokenizer == nil)
            // Without vocab: scanned once for the largest id.
            #expect(try Dataset(binFolder: dir, context: 20).vocabSize == 2001)
        }
    }

    @Test func badBinFiles() throws {
        try withTempDir { dir in
            try writeFile(dir + "/odd.bin", [1, 0, 2])
            #expect(throws: DataError.oddLengthBin(path: dir + "/odd.bin", bytes: 3)) { try NanoGPT.openBin(dir + "/odd.bin") }
            #expect("\(DataError.oddLengthBin(path: "x.bin", bytes: 3))".contains("odd"))
            #expect(throws: DataError.missingFile(path: dir + "/none.bin")) {
                try Dataset(trainBin: dir + "/none.bin", context: 4)
            }
            #expect(throws: DataError.missingFile(path: dir + "/train.bin")) { try Dataset(binFolder: dir, context: 4) }
            try writeFile(dir + "/empty.bin", [])
            #expect(throws: DataError.emptyCorpus(path: dir + "/empty.bin")) { try Dataset(trainBin: dir + "/empty.bin", context: 4) }
            try NanoGPT.writeBin([1, 2, 3], to: dir + "/short.bin")
            #expect(throws: DataError.corpusTooShort(tokens: 3, context: 4, what: dir + "/short.bin")) {
                try Dataset(trainBin: dir + "/short.bin", context: 4)
            }
            #expect(throws: DataError.invalidContext(0)) { try Dataset(trainBin: dir + "/short.bin", context: 0) }
            // Ids outside the vocabulary: found when a batch is filled.
            try NanoGPT.writeBin([1, 2, 3, 4, 5, 60, 7, 8, 9, 1, 2], to: dir + "/ids.bin")
            let d = try Dataset(trainBin: dir + "/ids.bin", context: 4, vocab: 50)
            #expect(try d.block(0) == [1, 2, 3, 4, 5])
            #expect(throws: DataError.tokenOutOfVocab(token: 60, vocab: 50, location: "block 1 (\(dir)/ids.bin)")) { try d.block(1) }
            #expect(throws: DataError.self) { try d.validateTokens() }
            #expect(throws: DataError.self) { try Dataset(trainBin: dir + "/ids.bin", context: 4, vocab: 70_000) }
        }
    }

    @Test func oneGigabyteFileOpensWithoutReadingIt() throws {
        try withTempDir { dir in
            let path = dir + "/train.bin"
            let size = 1 << 30
            // A sparse file: no disk blocks, no writes.
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            #expect(fd >= 0)
            #expect(ftruncate(fd, off_t(size)) == 0)
            close(fd)
            let d = try Dataset(trainBin: path, context: 1024, vocab: 50_304)
            #expect(d.tokenCount == size / 2)
            #expect(d.blockCount == (size / 2 - 1) / 1024)
            #expect(d.trainIDs.count == d.blockCount)
            let store = d.stores[0]
            let mapped = store.rawBytes(0..<store.count)
            // Opening touched no page of the map.
            #expect(residentPages(mapped.baseAddress!, mapped.count) == 0)
            // Reading one block far into the file brings in its pages and the
            // kernel's read-ahead around them (a few MB), not the file.
            #expect(try d.block(d.blockCount - 1).allSatisfy { $0 == 0 })
            let pages = mapped.count / Int(sysconf(Int32(_SC_PAGESIZE)))
            let resident = residentPages(mapped.baseAddress!, mapped.count)
            #expect(resident >= 1 && resident < pages / 50)
        }
    }
}
