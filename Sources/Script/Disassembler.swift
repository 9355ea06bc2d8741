// Disassembler: prints compiled bytecode, one instruction per line with its
// source line, for debugging the compiler (`LFR_DISASM=1 lfr-repl file`).
// What stays true here: read-only; it never changes a prototype.

extension FunctionProto {
    /// A listing of this function and, after it, of every nested function.
    func disassembly() -> String {
        var out = "function \(name) (\(file):\(location.line)) params=\(parameterCount) registers=\(frameSize)\n"
        for pc in 0..<codeCount {
            let ins = code[pc]
            var line = "  \(pc)".padding(6) + "\(ins.op)".padding(12) + "\(ins.a) \(ins.b) \(ins.c)".padding(14)
            line += "; line \(location(at: pc).line)"
            switch ins.op {
            case .loadK, .ltJumpK, .leJumpK, .gtJumpK, .geJumpK: line += "  K=\(reprString(constants[Int(ins.b)]))"
            case .addK, .subK, .mulK, .divK, .modK, .kAdd, .kMul, .addConsumeK, .getMember: line += "  K=\(reprString(constants[Int(ins.c)]))"
            default: break
            }
            out += line + "\n"
        }
        for p in protos { out += p.disassembly() }
        return out
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
