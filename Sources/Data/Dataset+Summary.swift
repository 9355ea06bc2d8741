// Dataset+Summary: the printed form of a dataset (files, bytes, tokens,
// blocks, vocab, split), as the REPL shows it. Numbers only; no state.

extension Dataset: CustomStringConvertible {
    static func grouped(_ n: Int) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    public var description: String {
        let g = Dataset.grouped
        var lines = [String]()
        var head = "dataset: \(info.source)"
        if info.files > 0 { head += " (\(g(info.files)) file\(info.files == 1 ? "" : "s")" + (info.bytes > 0 ? ", \(g(info.bytes)) bytes)" : ")") }
        lines.append(head)
        let tok = tokenizer.map { "\($0.kind)" } ?? "none (token ids)"
        let widthName = stores.first?.width == .u32 ? "uint32" : "uint16"
        lines.append("  tokens:    \(g(tokenCount)) (\(widthName)), tokenizer \(tok), vocab \(g(vocabSize))")
        var blocks = "  blocks:    \(g(blockCount)) of \(blockLength) tokens (context \(contextLength), stride \(blockStride))"
        if info.withinDocuments { blocks += ", within documents" }
        if info.droppedTokens > 0 { blocks += "; \(g(info.droppedTokens)) tail tokens unused" }
        lines.append(blocks)
        switch info.split {
        case "none":
            lines.append("  split:     none (all \(g(trainIDs.count)) blocks train)")
        case "fraction":
            lines.append("  split:     \(g(trainIDs.count)) train / \(g(valIDs.count)) val blocks (val \(info.valFraction), seed \(info.seed))")
        default:
            lines.append("  split:     \(g(trainIDs.count)) train / \(g(valIDs.count)) val blocks (separate \(info.split))")
        }
        if !info.alterations.isEmpty { lines.append(alterationSummary) }
        return lines.joined(separator: "\n")
    }
}
