// DataTests: tests of the Data module live in this folder (one file per concern).
