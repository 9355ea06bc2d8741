// ScriptLibrary: binds TensorCore, Models, Data and Schedules into the language.
