// ScriptTests: tests of the Script module live in this folder (one file per concern).
