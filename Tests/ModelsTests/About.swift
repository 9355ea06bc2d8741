// ModelsTests: tests of the Models module live in this folder (one file per concern).
