// fuzz-tokenbin: bytes -> nanoGPT token files (train.bin, and val.bin when
// the input asks) -> a dataset over them -> every block read back. The first
// three bytes choose the context, the vocabulary (or a scan for it) and
// where the input splits into train.bin and val.bin; the rest is the files.
// A dataset the reader accepts must give blocks of ids below its vocabulary
// that are the file's own tokens, and writing it as .bin files and reading
// them again must give the same blocks.
import Data
import FuzzSupport
import TensorCore
#if canImport(Glibc)
import Glibc
#endif

Fuzz.main(seeds: binSeeds) { input in
    guard input.count >= 3 else { return }
    let context = 1 + Int(input[0] % 16)
    let vocab: Int? = input[1] == 0 ? nil : Int(input[1]) * 64
    let body = UnsafeRawBufferPointer(rebasing: input[3...])
    let cut = input[2] == 0 ? body.count : min(body.count, Int(input[2]) * 2)
    let train = Fuzz.scratchFile("train.bin", UnsafeRawBufferPointer(rebasing: body[..<cut]))
    let val: String? = cut < body.count ? Fuzz.scratchFile("val.bin", UnsafeRawBufferPointer(rebasing: body[cut...])) : nil
    Fuzz.expectingUserErrors("token files") {
        let data = try Dataset(trainBin: train, valBin: val, context: context, vocab: vocab)
        let blocks = try (0..<data.blockCount).map { try data.block($0) }
        for b in blocks {
            Fuzz.require(b.count == context + 1, "a block of \(b.count) tokens, context \(context)")
            Fuzz.require(b.allSatisfy { $0 >= 0 && $0 < data.vocabSize }, "an id outside the vocabulary \(data.vocabSize)")
        }
        // Block 0 is the first context + 1 tokens of train.bin (the body starts
        // at an odd address: the ids are read unaligned).
        if let block0 = blocks.first {
            let first = (0...context).map { Int(body.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self).littleEndian) }
            Fuzz.require(block0 == first, "block 0 is not the file's first tokens")
        }
        let folder = Fuzz.scratchFolder + "/written"
        for name in ["train.bin", "val.bin", "tokenizer.json"] { unlink(folder + "/" + name) }
        try data.writeBins(folder: folder)
        let again = try Dataset(binFolder: folder, context: context, vocab: data.vocabSize)
        Fuzz.require(again.trainIDs.count == data.trainIDs.count && again.valIDs.count == data.valIDs.count,
                     "written .bin files hold other block counts")
        for (k, id) in data.trainIDs.enumerated() {
            Fuzz.require(try again.block(Int(again.trainIDs[k])) == blocks[Int(id)], "a written training block differs")
        }
    }
}

/// A few token files: ids of a small vocabulary, wide ids, a val.bin split,
/// an odd length (refused) and a file too short for one block.
func binSeeds() throws -> [(name: String, bytes: [UInt8])] {
    func file(_ header: [UInt8], _ ids: [UInt16]) -> [UInt8] {
        header + ids.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }
    let small = (0..<64).map { UInt16(($0 * 7) % 50) }
    return [
        ("scan", file([3, 0, 0], small)),
        ("vocab", file([7, 1, 0], small)),
        ("split", file([3, 1, 20], small)),
        ("wide", file([2, 0, 0], [65535, 0, 40000, 12, 7, 65534, 1, 2, 3])),
        ("odd", file([2, 0, 0], [1, 2, 3]) + [9]),
        ("short", file([15, 0, 0], [1, 2, 3])),
    ]
}
