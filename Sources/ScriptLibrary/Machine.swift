// Machine: what a report's reader needs to know about the computer that
// produced its numbers: cores, the BLAS library and its kernel, the model
// kernels' instruction set.
// What stays true here: reading these never changes how code runs
// (asking for the BLAS description opens the library, as the first matrix
// product would).
import Glibc
import Models
import TensorCore

public enum Machine {
    /// Online processor cores.
    public static var cores: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// The BLAS library, its kernel (core type) and threads, as `lfr-bench` prints it.
    public static var blas: String { BLAS.configuration }

    /// The instruction set of the models' C kernels ("avx2+fma" or "x86-64").
    public static var modelKernels: String { ModelKernels.instructionSet }

    /// The CPU's model name from /proc/cpuinfo, nil where there is none.
    public static var cpuModel: String? {
        guard let f = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(f) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, f) > 0, let line {
            let s = String(cString: line)
            if s.hasPrefix("model name"), let colon = s.firstIndex(of: ":") {
                return String(s[s.index(after: colon)...]).trimmingCharacters(in: " \t\n")
            }
        }
        return nil
    }
}

private extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
