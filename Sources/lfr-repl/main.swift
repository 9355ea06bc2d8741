// lfr-repl: the executable (REPL, batch runner, command line).
import TensorCore
print("lfr-repl: the language front end is not built yet (see issues 3 and 4)")
