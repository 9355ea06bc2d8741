// Script: the lfr language (lexer, parser, compiler, evaluator, values, diagnostics).
