// NanoGPT: nanoGPT's token files. `train.bin` and `val.bin` are flat arrays
// of little-endian uint16 token ids with no header (nanoGPT writes them with
// numpy's `tofile` and reads them with `np.memmap(dtype=np.uint16)`).
// lfr reads them memory-mapped (TokenStore) and writes them atomically.
// A folder written by lfr also holds `tokenizer.json` (lfr's tokenizer
// file) when the dataset has a tokenizer, so chars and BPE ids stay readable.

/// Reading and writing nanoGPT .bin token files.
public enum NanoGPT {
    /// Writes ids as flat little-endian uint16 (each must be below 65536).
    public static func writeBin<C: Collection>(_ ids: C, to path: String) throws where C.Element: BinaryInteger {
        var buf = [UInt16]()
        buf.reserveCapacity(ids.count)
        for (k, id) in ids.enumerated() {
            guard id >= 0, id < 65_536 else {
                throw DataError.tokenOutOfVocab(token: Int(truncatingIfNeeded: id), vocab: 65_536, location: "token \(k) written to \(path)")
            }
            buf.append(UInt16(truncatingIfNeeded: id).littleEndian)
        }
        try FileIO.writeAtomically(path: path) { write in try buf.withUnsafeBytes { try write($0) } }
    }

    /// Memory-maps a .bin file (nothing is read until ids are used).
    public static func openBin(_ path: String) throws -> TokenStore {
        try TokenStore(mappingBin: path)
    }
}

extension Dataset {
    /// The token ranges (store, tokens) covering the given sorted block ids:
    /// maximal runs of blocks that overlap or touch in one store, merged.
    func tokenRanges(of ids: [Int32]) -> [(store: Int, range: Range<Int>)] {
        var out = [(store: Int, range: Range<Int>)]()
        for raw in ids {
            let (s, start) = location(of: Int(raw))
            let end = start + blockLength
            if let last = out.last, last.store == s, start <= last.range.upperBound, start >= last.range.lowerBound {
                out[out.count - 1].range = last.range.lowerBound..<max(end, last.range.upperBound)
            } else {
                out.append((s, start..<end))
            }
        }
        return out
    }

    /// Writes `train.bin` and (when there is a split) `val.bin` into `folder`
    /// (created if needed), plus `tokenizer.json` when the dataset has one.
    /// Each file is the tokens of its blocks: consecutive blocks are written
    /// once as one stretch (they share their boundary token), and stretches
    /// follow each other with no separator, as nanoGPT joins documents.
    public func writeBins(folder: String) throws {
        guard vocabSize <= 65_536 else {
            throw DataError.invalidArgument(op: "writeBins", message: "vocabulary \(vocabSize) does not fit nanoGPT's uint16 files (at most 65536)")
        }
        if mkdir(folder, 0o755) != 0 && errno != EEXIST {
            throw DataError.io(path: folder, message: "cannot create folder: \(FileIO.errorText())")
        }
        let dir = folder.hasSuffix("/") ? folder : folder + "/"
        func write(_ ids: [Int32], _ name: String) throws {
            let ranges = tokenRanges(of: ids)
            try FileIO.writeAtomically(path: dir + name) { write in
                for (s, range) in ranges {
                    let store = stores[s]
                    switch store.width {
                    case .u16:
                        #if _endian(little)
                        try write(store.rawBytes(range))
                        #else
                        let le = range.map { UInt16(truncatingIfNeeded: store[$0]).littleEndian }
                        try le.withUnsafeBytes { try write($0) }
                        #endif
                    case .u32:
                        let narrow = range.map { UInt16(truncatingIfNeeded: store[$0]).littleEndian }
                        try narrow.withUnsafeBytes { try write($0) }
                    }
                }
            }
        }
        try write(trainIDs, "train.bin")
        if !valIDs.isEmpty { try write(valIDs, "val.bin") }
        if let tokenizer { try tokenizer.save(to: dir + "tokenizer.json") }
    }

    /// Opens a folder holding `train.bin` (and optionally `val.bin` and
    /// lfr's `tokenizer.json`), memory-mapped. See `init(trainBin:...)` for `vocab`.
    public convenience init(binFolder folder: String, context: Int, vocab: Int? = nil) throws {
        let dir = folder.hasSuffix("/") ? folder : folder + "/"
        guard access(dir + "train.bin", F_OK) == 0 else { throw DataError.missingFile(path: dir + "train.bin") }
        let val = access(dir + "val.bin", F_OK) == 0 ? dir + "val.bin" : nil
        let tok = access(dir + "tokenizer.json", F_OK) == 0 ? try loadTokenizer(path: dir + "tokenizer.json") : nil
        try self.init(trainBin: dir + "train.bin", valBin: val, context: context, vocab: vocab, tokenizer: tok)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
