// lfr-repl: the minimal batch runner (the full REPL comes with issue 4).
//   lfr-repl FILE [ARGS...]   run a script (`args` holds ARGS)
//   lfr-repl -e CODE          evaluate CODE and print its value
//   lfr-repl                  with stdin not a terminal: run stdin as a script
// Exit codes: 0 ok, 1 script error, 2 usage error, exit(n) -> n.
import Script
#if canImport(Glibc)
import Glibc
#endif

let exitCode = BatchRunner.main(CommandLine.arguments)
fflush(stdout)
exit(exitCode)
