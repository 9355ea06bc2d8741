// EndToEndTests: tests of the EndToEnd module live in this folder (one file per concern).
