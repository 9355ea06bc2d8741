// Data: corpora, tokenizers, token blocks, train/val splits, nanoGPT .bin files.
