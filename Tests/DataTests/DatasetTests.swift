// DatasetTests: block boundaries and the dropped tail, documents, the
// train/val split, tensors as sources, batches, and every bad input.
import Foundation
import Testing
@testable import Data
import TensorCore

/// A 1-d tensor 0, 1, ..., n-1 (ids are their own positions).
func rampTensor(_ n: Int) throws -> Tensor {
    try Tensor(shape: [n], values: (0..<n).map { Float($0) })
}

@Suite struct DatasetTests {
    @Test func streamBlocksAndTail() throws {
        // 23 tokens, context 4: blocks start at 0, 4, 8, 12, 16 (5 blocks of 5
        // tokens); block 4 ends at token 20; tokens 21, 22 are the dropped tail.
        let d = try Dataset(tokens: try rampTensor(23), context: 4)
        #expect(d.blockCount == 5)
        #expect(d.blockLength == 5)
        for i in 0..<5 { #expect(try d.block(i) == Array(4 * i...4 * i + 4)) }
        #expect(d.info.droppedTokens == 2)
        // Every token after the first is a target exactly once per epoch.
        var targets = [Int]()
        for i in 0..<d.blockCount { targets += try d.block(i).dropFirst() }
        #expect(targets == Array(1...20))
        // Exactly one block: n = context + 1.
        let one = try Dataset(tokens: try rampTensor(5), context: 4)
        #expect(one.blockCount == 1 && one.info.droppedTokens == 0)
    }

    @Test func twoDimensionalTensorIsBlocks() throws {
        let t = try Tensor(shape: [3, 4], values: (0..<12).map { Float($0 % 7) })
        let d = try Dataset(tokens: t)
        #expect(d.contextLength == 3 && d.blockCount == 3 && d.blockStride == 4)
        #expect(try d.block(1) == [4, 5, 6, 0])
        #expect(try d.block(2) == [1, 2, 3, 4])
        #expect(d.vocabSize == 7)
        #expect(throws: DataError.self) { try Dataset(tokens: t, context: 5) }
        #expect(throws: DataError.invalidContext(0)) { try Dataset(tokens: try Tensor(shape: [3, 1], values: [1, 2, 3])) }
    }

    @Test func corpusBytesDataset() throws {
        let text = "abcdefghijklmnopqrstuvwxyz"
        let d = try Dataset(corpus: try Corpus(text: text), context: 8, val: 0)
        #expect(d.vocabSize == 256)
        #expect(d.blockCount == 3)                  // (26 - 1) / 8
        #expect(try d.decode(d.block(1)) == "ijklmnopq")
        #expect(d.info.droppedTokens == 1)          // 'z' is never a target
        #expect(d.stores[0].width == .u16)
        #expect(try d.encode("hi") == [104, 105])
    }

    @Test func withinDocumentsNeverCrossesABoundary() throws {
        // Documents of 11, 3 and 9 bytes; context 4.
        let c = try Corpus(documents: [("a", Array("AAAAAAAAAAA".utf8)), ("b", Array("BBB".utf8)), ("c", Array("CCCCCCCCC".utf8))])
        let d = try Dataset(corpus: c, context: 4, val: 0, withinDocuments: true)
        // a: (11 - 1) / 4 = 2 blocks, b: too short (0), c: (9 - 1) / 4 = 2 blocks.
        #expect(d.blockCount == 4)
        for i in 0..<d.blockCount {
            let s = try d.decode(d.block(i))
            #expect(Set(s).count == 1, "block \(i) = \(s)")
        }
        #expect(try d.decode(d.block(2)) == "CCCCC")
        // Dropped: a leaves 11 - 9 = 2, b all 3, c 9 - 9 = 0.
        #expect(d.info.droppedTokens == 5)
        // Without the option the stream crosses documents.
        let s = try Dataset(corpus: c, context: 4, val: 0)
        #expect(s.blockCount == 5)
        #expect(try s.decode(s.block(2)) == "AAABB")
    }

    @Test func splitIsDisjointCoveringAndSeeded() throws {
        let d = try Dataset(tokens: try rampTensor(10_001), context: 10, val: 0.2, seed: 7)
        #expect(d.blockCount == 1000)
        #expect(d.valIDs.count == 200 && d.trainIDs.count == 800)
        #expect(Set(d.trainIDs).isDisjoint(with: Set(d.valIDs)))
        #expect(Set(d.trainIDs).union(Set(d.valIDs)) == Set((0..<1000).map { Int32($0) }))
        #expect(d.trainIDs == d.trainIDs.sorted() && d.valIDs == d.valIDs.sorted())
        // Predicted positions of train and val blocks never overlap.
        var trainTargets = Set<Int>(), valTargets = Set<Int>()
        for id in d.trainIDs { trainTargets.formUnion(try d.block(Int(id)).dropFirst()) }
        for id in d.valIDs { valTargets.formUnion(try d.block(Int(id)).dropFirst()) }
        #expect(trainTargets.isDisjoint(with: valTargets))
        // Same seed, same split; another seed, another split; not just the tail.
        let again = try Dataset(tokens: try rampTensor(10_001), context: 10, val: 0.2, seed: 7)
        #expect(again.valIDs == d.valIDs)
        let other = try Dataset(tokens: try rampTensor(10_001), context: 10, val: 0.2, seed: 8)
        #expect(other.valIDs != d.valIDs)
        #expect(d.valIDs.first! < 500)
        // A tiny positive fraction still holds out one block.
        #expect(try Dataset(tokens: try rampTensor(101), context: 10, val: 0.01).valIDs.count == 1)
    }

    @Test func separateValidationCorpus() throws {
        let train = try Corpus(text: String(repeating: "train text. ", count: 20))
        let val = try Corpus(text: String(repeating: "in a tent. ", count: 5), name: "val.txt")
        let d = try Dataset(corpus: train, tokenizer: .chars(byteFallback: false), context: 8, valCorpus: val)
        let nTrain = (240 - 1) / 8, nVal = (55 - 1) / 8
        #expect(d.trainIDs == (0..<nTrain).map { Int32($0) })
        #expect(d.valIDs == (nTrain..<nTrain + nVal).map { Int32($0) })
        #expect(try d.decode(d.block(nTrain)) == "in a tent")
        // The chars vocabulary comes from the training corpus: 'v' is new.
        #expect(throws: DataError.unknownCharacter(scalar: 118, tokenizer: "chars")) {
            try Dataset(corpus: train, tokenizer: .chars(byteFallback: false), context: 8, valCorpus: try Corpus(text: "vvvvvvvvv!!!!"))
        }
        #expect(throws: DataError.corpusTooShort(tokens: 3, context: 8, what: "validation corpus short")) {
            try Dataset(corpus: train, context: 8, valCorpus: try Corpus(text: "abc", name: "short"))
        }
    }

    @Test func fillBatchWritesBlocksInOrder() throws {
        let d = try Dataset(tokens: try rampTensor(1001), context: 10)
        var buf = [Int32](repeating: -1, count: 3 * 11)
        try buf.withUnsafeMutableBufferPointer { try d.fillBatch(blockIDs: [7, 0, 99], into: $0.baseAddress!) }
        #expect(Array(buf[0..<11]) == (70...80).map { Int32($0) })
        #expect(Array(buf[11..<22]) == (0...10).map { Int32($0) })
        #expect(Array(buf[22..<33]) == (990...1000).map { Int32($0) })
        #expect(throws: DataError.self) {
            try buf.withUnsafeMutableBufferPointer { try d.fillBatch(blockIDs: [100], into: $0.baseAddress!) }
        }
        #expect(throws: DataError.self) { try d.block(-1) }
        let t = try d.batchTensor([1, 2])
        #expect(t.shape == [2, 11])
        #expect(t.toArray()[11] == 20)
    }

    @Test func largeVocabularyUsesUInt32() throws {
        let t = try Tensor(shape: [6], values: [0, 70_000, 5, 69_999, 1, 2])
        let d = try Dataset(tokens: t, context: 2, vocab: 70_001)
        #expect(d.stores[0].width == .u32)
        #expect(try d.block(0) == [0, 70_000, 5])
        #expect(throws: DataError.self) { try d.writeBins(folder: "/nonexistent-never-created") }
    }

    @Test func badInputs() throws {
        let c = try Corpus(text: "short")
        #expect(throws: DataError.invalidContext(0)) { try Dataset(corpus: c, context: 0) }
        #expect(throws: DataError.invalidContext(-3)) { try Dataset(tokens: try rampTensor(10), context: -3) }
        // "short" is 5 tokens: context 5 needs 6.
        #expect(throws: DataError.corpusTooShort(tokens: 5, context: 5, what: "corpus <text>")) {
            try Dataset(corpus: c, context: 5, val: 0)
        }
        #expect("\(DataError.corpusTooShort(tokens: 5, context: 5, what: "corpus <text>"))".contains("fewer than one block"))
        #expect(throws: DataError.tokenOutOfVocab(token: 9, vocab: 5, location: "token tensor element 2")) {
            try Dataset(tokens: try Tensor(shape: [4], values: [1, 2, 9, 3]), context: 2, vocab: 5)
        }
        #expect(throws: DataError.self) { try Dataset(tokens: try Tensor(shape: [4], values: [1, 2.5, 3, 0]), context: 2) }
        #expect(throws: DataError.self) { try Dataset(tokens: try Tensor(shape: [4], values: [1, -1, 3, 0]), context: 2) }
        #expect(throws: DataError.self) { try Dataset(tokens: try Tensor(shape: [2, 2, 2], repeating: 0), context: 1) }
        // A split that leaves nothing to train on, and a fraction outside [0, 1).
        #expect(throws: DataError.self) { try Dataset(tokens: try rampTensor(5), context: 4, val: 0.5) }
        #expect(throws: DataError.self) { try Dataset(tokens: try rampTensor(50), context: 4, val: 1.0) }
        #expect(throws: DataError.self) { try Dataset(tokens: try rampTensor(50), context: 4, val: -0.1) }
        #expect(throws: DataError.self) { try TokenizerSpec.named("wordpiece") }
        let noTok = try Dataset(tokens: try rampTensor(50), context: 4)
        #expect(throws: DataError.self) { try noTok.decode([1, 2]) }
    }

    @Test func summaryNamesTheNumbers() throws {
        let c = try Corpus(documents: [("a.txt", Array(String(repeating: "x", count: 1000).utf8)),
                                       ("b.txt", Array(String(repeating: "y", count: 234).utf8))], source: "folder")
        let d = try Dataset(corpus: c, context: 100, val: 0.25, seed: 3)
        let s = d.description
        #expect(s.contains("folder (2 files, 1,234 bytes)"))
        #expect(s.contains("1,234 (uint16)") && s.contains("tokenizer bytes, vocab 256"))
        #expect(s.contains("12 of 101 tokens (context 100, stride 100)"))
        #expect(s.contains("9 train / 3 val blocks (val 0.25, seed 3)"))
        #expect(s.contains("33 tail tokens unused"))
    }

    @Test func datasetWithTrainedTokenizers() throws {
        let c = try Corpus(text: syntheticText(words: 2000, seed: 21))
        for spec in [TokenizerSpec.bytes, .chars(byteFallback: true), .bpe(vocab: 400), try .named("bpe:300")] {
            let d = try Dataset(corpus: c, tokenizer: spec, context: 32, val: 0.1, seed: 1)
            // Blocks decode back to the corpus text they cover.
            let text = String(decoding: c.bytes, as: UTF8.self)
            var joined = try d.decode(d.block(0))
            for i in 1..<d.blockCount { joined += try d.decode(d.block(i).dropFirst()) }
            #expect(text.hasPrefix(joined), "\(spec)")
            #expect(text.utf8.count - joined.utf8.count < 32 * 16)
        }
    }
}
