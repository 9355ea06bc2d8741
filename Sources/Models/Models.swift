// Models: language models over TensorCore (GPT, bigram, MLP LM), AdamW, checkpoints.
