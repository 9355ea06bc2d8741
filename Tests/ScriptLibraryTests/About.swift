// ScriptLibraryTests: tests of the ScriptLibrary module live in this folder (one file per concern).
