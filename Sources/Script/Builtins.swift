// Builtins: the global functions and the methods of the builtin types.
// What stays true here: each builtin is one NativeFunction (name, parameter
// specs, one-paragraph doc, body); a method `xs.push(v)` is the same function
// as `push(xs, v)` (the receiver is the first argument), registered in the
// type's method table. Bodies validate through `Arguments` accessors, so a
// wrong argument is a clear error naming the function and the parameter.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif


extension Interpreter {
    func installBuiltins() {
        func def(_ name: String, _ params: [Param], _ doc: String, _ body: @escaping (Arguments) throws -> Value) {
            register(NativeFunction(name: name, parameters: params, doc: doc, body: body))
        }
        func fn(_ name: String) -> NativeFunction {
            if case .native(let f) = global(name) { return f }
            preconditionFailure("builtin \(name) missing")
        }

        // MARK: output, types, conversion
        def("print", [Param("values", variadic: true)],
            "print(values...) writes its arguments to standard output, separated by spaces and followed by a newline. Strings print bare; lists and dicts print as literals with strings quoted.") { a in
            var s = ""
            for i in 0..<a.count { if i > 0 { s += " " }; s += displayString(a[i]) }
            s += "\n"
            a.interpreter.output(s)
            return .nil
        }
        def("type", [Param("value")], "type(value) returns the name of the value's type as a string: \"nil\", \"bool\", \"number\", \"string\", \"list\", \"dict\", \"range\", \"function\", or the name of a native type such as \"tensor\".") { a in
            .str(typeName(a[0]))
        }
        def("str", [Param("value"), Param("digits", default: .nil)],
            "str(value, digits: nil) converts a value to its printed form. Numbers print without a trailing .0 when they are integers; with digits, a number is rounded to that many decimal places.") { a in
            if !a.isNil(1) {
                let d = try a.number(0), k = try a.int(1)
                guard k >= 0 && k <= 17 else { throw RuntimeError("str: digits must be between 0 and 17, got \(k)") }
                return .str(formatFixed(d, k))
            }
            return .str(displayString(a[0]))
        }
        def("repr", [Param("value")], "repr(value) returns the value as the REPL shows it: strings in quotes with escapes, containers as literals.") { a in
            .str(reprString(a[0]))
        }
        def("num", [Param("value")], "num(value) converts a string (\"3.5\", \"1e-3\"), a bool (1 or 0) or a number to a number; a string that is not a number is an error.") { a in
            switch a[0] {
            case .number: return a[0]
            case .bool(let b): return .number(b ? 1 : 0)
            case .string(let s):
                let t = s.value.trimmingWhitespace()
                if let d = Double(t.filter { $0 != "_" }), !t.isEmpty { return .number(d) }
                throw RuntimeError("num: cannot convert \(quoteString(s.value)) to a number")
            default: throw a.fail(0, "a string, bool or number")
            }
        }
        def("len", [Param("value")], "len(value) returns the number of items of a list, dict or range, the number of characters of a string, or the length of a native value such as a tensor's first dimension.") { a in
            switch a[0] {
            case .list(let l): return .number(Double(l.items.count))
            case .string(let s): return .number(Double(s.count))
            case .dict(let d): return .number(Double(d.count))
            case .range(let r): return .number(Double(r.count))
            case .object(let o):
                if let n = try o.length() { return .number(Double(n)) }
                throw RuntimeError("len: a \(o.typeName) has no length")
            default: throw a.fail(0, "a list, string, dict, range or tensor")
            }
        }
        def("range", [Param("start"), Param("stop", default: .nil), Param("step", default: .number(1))],
            "range(stop) or range(start, stop, step: 1) is the sequence start, start+step, ... up to but not including stop, computed lazily. for i in range(3) visits 0, 1, 2.") { a in
            var start = try a.number(0), stop: Double
            if a.isNil(1) { stop = start; start = 0 } else { stop = try a.number(1) }
            let step = try a.number(2)
            if step == 0 || step.isNaN { throw RuntimeError("range: step must not be zero") }
            if !start.isFinite || !stop.isFinite { throw RuntimeError("range: bounds must be finite") }
            return .range(RangeObject(start: start, stop: stop, step: step))
        }
        def("list", [Param("value", default: .nil)], "list(value) makes a new list from a range, string (its characters), dict (its keys), list (a shallow copy) or iterable native value; list() is an empty list.") { a in
            .list(ListObject(try a.interpreter.iterate(a[0], "list")))
        }
        def("dict", [Param("pairs", default: .nil)], "dict(pairs) makes a dict from a list of [key, value] pairs; dict() is an empty dict. Keys keep their insertion order.") { a in
            let d = DictObject()
            if a.isNil(0) { return .dict(d) }
            for p in try a.list(0).items {
                guard case .list(let kv) = p, kv.items.count == 2 else { throw RuntimeError("dict: each pair must be a list [key, value]") }
                try d.set(kv.items[0], kv.items[1])
            }
            return .dict(d)
        }

        // MARK: numbers
        func math(_ name: String, _ doc: String, _ f: @escaping (Double) -> Double) {
            def(name, [Param("x")], doc) { a in .number(f(try a.number(0))) }
        }
        math("abs", "abs(x) is the absolute value of the number x.") { Swift.abs($0) }
        math("floor", "floor(x) is the largest integer not greater than x.") { $0.rounded(.down) }
        math("ceil", "ceil(x) is the smallest integer not less than x.") { $0.rounded(.up) }
        math("sqrt", "sqrt(x) is the square root of x (nan for negative x).") { $0.squareRoot() }
        math("exp", "exp(x) is e raised to the power x.") { Glibc.exp($0) }
        math("log", "log(x) is the natural logarithm of x (-inf at 0, nan for negative x).") { Glibc.log($0) }
        math("sin", "sin(x) is the sine of x (radians).") { Glibc.sin($0) }
        math("cos", "cos(x) is the cosine of x (radians).") { Glibc.cos($0) }
        math("tanh", "tanh(x) is the hyperbolic tangent of x.") { Glibc.tanh($0) }
        def("round", [Param("x"), Param("digits", default: .number(0))], "round(x, digits: 0) rounds x to the nearest integer (halves away from zero), or to the given number of decimal places.") { a in
            let x = try a.number(0), k = try a.int(1)
            guard k >= -20 && k <= 20 else { throw RuntimeError("round: digits must be between -20 and 20") }
            if k == 0 { return .number(x.rounded()) }
            let m = pow(10.0, Double(k))
            return .number((x * m).rounded() / m)
        }
        def("min", [Param("values", variadic: true)], "min(a, b, ...) or min(list) is the smallest of the numbers or strings given.") { a in
            try a.interpreter.extreme(a, wantMax: false)
        }
        def("max", [Param("values", variadic: true)], "max(a, b, ...) or max(list) is the largest of the numbers or strings given.") { a in
            try a.interpreter.extreme(a, wantMax: true)
        }
        def("is_nan", [Param("x")], "is_nan(x) is true when the number x is not a number (nan).") { a in .bool(try a.number(0).isNaN) }

        // MARK: lists
        def("push", [Param("list"), Param("value")], "push(list, value) or list.push(value) appends value to the end of the list, in place.") { a in
            try a.list(0).items.append(a[1]); return .nil
        }
        def("pop", [Param("list"), Param("index", default: .nil)], "pop(list, index: nil) or list.pop() removes and returns the last item (or the item at index). Popping an empty list is an error.") { a in
            let l = try a.list(0)
            if l.items.isEmpty { throw RuntimeError("pop: the list is empty") }
            if a.isNil(1) { return l.items.removeLast() }
            return l.items.remove(at: try a.interpreter.normalizedIndex(a[1], l.items.count, "list"))
        }
        def("insert", [Param("list"), Param("index"), Param("value")], "insert(list, index, value) or list.insert(index, value) inserts value before position index (0 inserts at the front, len(list) at the end).") { a in
            let l = try a.list(0)
            var i = try a.int(1)
            if i < 0 { i += l.items.count }
            guard i >= 0 && i <= l.items.count else { throw RuntimeError("insert: index \(try a.int(1)) out of range for list of length \(l.items.count)") }
            l.items.insert(a[2], at: i); return .nil
        }
        def("extend", [Param("list"), Param("items")], "extend(list, items) or list.extend(items) appends every item of another list (or range, or string's characters) to the list, in place.") { a in
            let l = try a.list(0)
            l.items.append(contentsOf: try a.interpreter.iterate(a[1], "extend"))
            return .nil
        }
        def("contains", [Param("container"), Param("item")], "contains(container, item) is true when a list or range holds item, a string contains the substring item, or a dict has the key item; the same as item in container. Also a method: xs.contains(3).") { a in
            switch a[0] {
            case .list, .string, .dict, .range: return .bool(try a.interpreter.containsItem(a[0], a[1]))
            default: throw a.fail(0, "a list, string, dict or range")
            }
        }
        def("index_of", [Param("container"), Param("item")], "index_of(container, item), xs.index_of(item) or s.index_of(sub) is the position of the first list item equal to item, or of the first occurrence of the substring sub (in characters); -1 when there is none.") { a in
            switch a[0] {
            case .list(let l): return .number(Double(l.items.firstIndex { valuesEqual($0, a[1]) } ?? -1))
            case .string(let s):
                let sub = try a.string(1)
                guard let r = s.value.firstRange(of: sub) else { return .number(sub.isEmpty ? 0 : -1) }
                return .number(Double(s.value.distance(from: s.value.startIndex, to: r.lowerBound)))
            default: throw a.fail(0, "a list or a string")
            }
        }
        def("reversed", [Param("items")], "reversed(items) returns a new list with the items of a list (range, string, dict keys) in reverse order; items is left as it was. xs.reverse() reverses a list in place instead.") { a in
            .list(Array(try a.interpreter.iterate(a[0], "reversed").reversed()))
        }
        def("copy", [Param("value")], "copy(value) returns a shallow copy of a list or dict (the items themselves are shared).") { a in
            switch a[0] {
            case .list(let l): return .list(l.items)
            case .dict(let d):
                let n = DictObject()
                for i in 0..<d.count { try n.set(d.keys[i], d.values[i]) }
                return .dict(n)
            default: return a[0]
            }
        }
        def("map", [Param("items"), Param("f")], "map(items, f) returns a new list of f(x) for each x of a list, range, string or dict (its keys). Also a method: xs.map(fn(x) { x * 2 }).") { a in
            let f = try a.callable(1)
            let items = try a.interpreter.iterate(a[0], "map")
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for x in items { out.append(try a.interpreter.call(f, [x])) }
            return .list(out)
        }
        def("filter", [Param("items"), Param("f")], "filter(items, f) returns a new list of the items x for which f(x) is true. Also a method: xs.filter(fn(x) { x > 0 }).") { a in
            let f = try a.callable(1)
            var out: [Value] = []
            for x in try a.interpreter.iterate(a[0], "filter") where try a.interpreter.call(f, [x]).isTruthy { out.append(x) }
            return .list(out)
        }
        for name in ["sorted", "sort"] {
            def(name, [Param("items"), Param("key", default: .nil), Param("reverse", default: .bool(false))],
                "\(name)(items, key: nil, reverse: false) returns a new sorted list of numbers, strings or lists (lists order item by item); key is a function giving the value to sort by; items is left as it was. list.sort(...) sorts the list in place instead. The sort is stable.") { a in
                let sorted = try a.interpreter.sortedValues(try a.interpreter.iterate(a[0], name), key: a[1], reverse: try a.bool(2))
                return .list(sorted)
            }
        }
        def("join", [Param("items"), Param("separator", default: .string(""))], "join(items, separator: \"\") joins the printed forms of the items of a list into one string, with separator between them. Also xs.join(\", \").") { a in
            .str(joinedString(try a.list(0).items, separator: try a.string(1)))
        }

        // MARK: strings
        def("split", [Param("text"), Param("separator", default: .nil)], "split(text, separator: nil) splits a string at each occurrence of separator and returns the list of pieces; without a separator it splits at runs of whitespace and drops empty pieces.") { a in
            let s = try a.string(0)
            if a.isNil(1) {
                return .list(s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).map { .str(String($0)) })
            }
            let sep = try a.string(1)
            if sep.isEmpty { throw RuntimeError("split: separator must not be empty") }
            return .list(s.split(separator: sep, omittingEmptySubsequences: false).map { .str(String($0)) })
        }
        def("upper", [Param("text")], "upper(text) or text.upper() is the string in upper case.") { a in .str(try a.string(0).uppercased()) }
        def("lower", [Param("text")], "lower(text) or text.lower() is the string in lower case.") { a in .str(try a.string(0).lowercased()) }
        def("strip", [Param("text")], "strip(text) or text.strip() removes whitespace at both ends of the string.") { a in .str(try a.string(0).trimmingWhitespace()) }
        def("replace", [Param("text"), Param("old"), Param("new")], "replace(text, old, new) or text.replace(old, new) replaces every occurrence of old by new.") { a in
            let old = try a.string(1)
            if old.isEmpty { throw RuntimeError("replace: 'old' must not be empty") }
            return .str(try a.string(0).replacing(old, with: try a.string(2)))
        }
        def("starts_with", [Param("text"), Param("prefix")], "starts_with(text, prefix) is true when the string begins with prefix.") { a in .bool(try a.string(0).hasPrefix(try a.string(1))) }
        def("ends_with", [Param("text"), Param("suffix")], "ends_with(text, suffix) is true when the string ends with suffix.") { a in .bool(try a.string(0).hasSuffix(try a.string(1))) }
        def("chr", [Param("code")], "chr(code) is the one-character string of the Unicode code point code.") { a in
            let c = try a.int(0)
            guard c >= 0, c <= 0x10FFFF, let u = Unicode.Scalar(UInt32(c)) else { throw RuntimeError("chr: \(c) is not a valid code point") }
            return .str(String(Character(u)))
        }
        def("ord", [Param("char")], "ord(char) is the Unicode code point of a one-character string.") { a in
            let s = try a.string(0)
            guard s.unicodeScalars.count == 1, let u = s.unicodeScalars.first else { throw RuntimeError("ord: expected a single character, got \(quoteString(s))") }
            return .number(Double(u.value))
        }

        // MARK: dicts
        def("keys", [Param("dict")], "keys(dict) or d.keys() is the list of the dict's keys, in insertion order.") { a in .list(try a.dict(0).keys) }
        def("values", [Param("dict")], "values(dict) or d.values() is the list of the dict's values, in insertion order.") { a in .list(try a.dict(0).values) }
        def("items", [Param("dict")], "items(dict) or d.items() is the list of [key, value] pairs, in insertion order.") { a in
            let d = try a.dict(0)
            return .list((0..<d.count).map { .list([d.keys[$0], d.values[$0]]) })
        }
        def("get", [Param("dict"), Param("key"), Param("default", default: .nil)], "get(dict, key, default: nil) or d.get(key, default) is the value for key, or default when the key is absent.") { a in
            try a.dict(0).get(a[1]) ?? a[2]
        }
        def("has", [Param("dict"), Param("key")], "has(dict, key) or d.has(key) is true when the dict has the key.") { a in .bool(try a.dict(0).get(a[1]) != nil) }
        def("remove", [Param("dict"), Param("key")], "remove(dict, key) or d.remove(key) deletes the key and returns its value (nil when it was absent).") { a in
            try a.dict(0).remove(a[1]) ?? .nil
        }

        // MARK: errors, system
        def("assert", [Param("condition"), Param("message", default: .nil)], "assert(condition, message: nil) raises the error \"assertion failed: message\" (or just \"assertion failed\") when condition is false.") { a in
            if !a[0].isTruthy { throw RuntimeError(a.isNil(1) ? "assertion failed" : "assertion failed: \(displayString(a[1]))") }
            return .nil
        }
        def("error", [Param("message")], "error(message) stops the program with a runtime error carrying message (and the call stack).") { a in
            throw RuntimeError(displayString(a[0]))
        }
        def("time", [], "time() is the current time in seconds (with fractions) since 1970; subtract two readings to time code.") { _ in
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            return .number(Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9)
        }
        def("read_file", [Param("path")], "read_file(path) returns the whole text file at path as a string.") { a in
            let p = try a.string(0)
            do { return .str(try readTextFile(p)) } catch let e as RuntimeError {
                throw RuntimeError("read_file: cannot read '\(p)': \(e.message)")
            }
        }
        def("write_file", [Param("path"), Param("text"), Param("append", default: .bool(false))], "write_file(path, text, append: false) writes the string text to the file at path, replacing it (or appending when append is true).") { a in
            let p = try a.string(0)
            do { try writeTextFile(p, try a.string(1), append: try a.bool(2)) } catch let e as RuntimeError {
                throw RuntimeError("write_file: cannot write '\(p)': \(e.message)")
            }
            return .nil
        }
        def("env", [Param("name")], "env(name) is the value of the environment variable name as a string, or nil when it is not set.") { a in
            guard let v = getenv(try a.string(0)) else { return .nil }
            return .str(String(cString: v))
        }
        def("exit", [Param("code", default: .number(0))], "exit(code: 0) stops the script; the process exits with code.") { a in
            let c = try a.int(0)
            guard c >= 0 && c <= 255 else { throw RuntimeError("exit: code must be between 0 and 255, got \(c)") }
            throw ScriptExit(code: Int32(c))
        }
        def("help", [Param("name", default: .nil)], "help(name) prints the documentation of a function, a native value or a keyword; name may be the value itself or its name as a string. help() lists the builtins.") { a in
            let text: String
            if a.isNil(0) { text = a.interpreter.helpOverview() }
            else if case .string(let s) = a[0] { text = a.interpreter.helpText(for: s.value) ?? "no help for '\(s.value)'" }
            else { text = a.interpreter.helpText(forValue: a[0]) }
            a.interpreter.output(text + "\n")
            return .nil
        }
        setGlobal("args", .list(arguments.map { .str($0) }))

        // MARK: methods of builtin types (the receiver is the first argument)
        for n in ["push", "pop", "insert", "extend", "contains", "index_of", "copy", "map", "filter", "join"] { listMethods[n] = fn(n) }
        listMethods["reverse"] = NativeFunction(name: "reverse", parameters: [Param("list")],
            doc: "list.reverse() reverses the list in place and returns nil; reversed(list) returns a reversed copy instead.") { a in
            try a.list(0).items.reverse()
            return .nil
        }
        listMethods["sort"] = NativeFunction(name: "sort", parameters: [Param("list"), Param("key", default: .nil), Param("reverse", default: .bool(false))],
            doc: "list.sort(key: nil, reverse: false) sorts the list in place (stable) and returns nil; sort(list) returns a sorted copy instead.") { a in
            let l = try a.list(0)
            if case .nil = a[1], !(try a.bool(2)), let sorted = numbersSortedInPlace(l.items) { l.items = sorted; return .nil }
            l.items = try a.interpreter.sortedValues(l.items, key: a[1], reverse: try a.bool(2))
            return .nil
        }
        for n in ["split", "upper", "lower", "strip", "replace", "starts_with", "ends_with", "contains", "index_of"] { stringMethods[n] = fn(n) }
        stringMethods["join"] = NativeFunction(name: "join", parameters: [Param("separator"), Param("items")],
            doc: "separator.join(items) joins the printed forms of the items with the separator between them.") { a in
            .str(joinedString(try a.list(1).items, separator: try a.string(0)))
        }
        for n in ["keys", "values", "items", "get", "has", "remove", "copy", "contains", "map", "filter"] { dictMethods[n] = fn(n) }
        for n in ["contains", "map", "filter"] { rangeMethods[n] = fn(n) }

        keywordHelp = [
            "let": "let name = value binds a constant: the name cannot be assigned again in its scope. At the top level it defines a global.",
            "var": "var name = value binds a variable that can be assigned with =, +=, -=, *=, /=.",
            "fn": "fn name(a, b: default) { body } defines a function; the value of the last expression is returned (return also works). fn(x) { x * 2 } is an anonymous closure that captures the variables around it.",
            "if": "if cond { ... } else if cond { ... } else { ... } is an expression: its value is the value of the branch taken (nil when none).",
            "while": "while cond { ... } repeats the block while cond is true; break leaves the loop, continue starts the next round.",
            "for": "for x in items { ... } visits each item of a list, range, string (characters), dict (keys) or iterable native value such as a tensor (rows).",
            "import": "import name runs name.lfr from the script's folder or the standard library once; import \"path/file.lfr\" runs a file by path. Its top-level definitions become globals.",
            "return": "return value leaves the current function with value (return alone returns nil).",
            "and": "a and b is b when a is true, else a (b is not evaluated).",
            "or": "a or b is a when a is true, else b (b is not evaluated).",
            "not": "not a is true when a is false, nil, 0, an empty string, list or dict.",
        ]
    }

    // MARK: - helpers used by builtins

    /// The items a builtin iterates over: list items, range numbers, string characters, dict keys, native items.
    public func iterate(_ v: Value, _ fname: String) throws -> [Value] {
        switch v {
        case .nil: return []
        case .list(let l): return l.items
        case .range(let r):
            let n = r.count
            if n > 100_000_000 { throw RuntimeError("\(fname): range too large to materialise (\(n) items)") }
            return (0..<n).map { .number(r.element($0)) }
        case .string(let s): return s.value.map { .str(String($0)) }
        case .dict(let d): return d.keys
        case .object(let o):
            guard let n = try o.iterationCount() else { throw RuntimeError("\(fname): cannot iterate over a \(o.typeName)") }
            return try (0..<n).map { try o.iterationElement($0) }
        default: throw RuntimeError("\(fname): expected a list, range, string or dict, got \(typeName(v))")
        }
    }

    func extreme(_ a: Arguments, wantMax: Bool) throws -> Value {
        var items = a.rest(from: 0)
        if items.count == 1 { items = try iterate(items[0], a.function.name) }
        guard var best = items.first else { throw RuntimeError("\(a.function.name): no values given") }
        for v in items.dropFirst() {
            let better = try compare(wantMax ? .gt : .lt, v, best)
            if better.isTruthy { best = v }
        }
        return best
    }

    func sortedValues(_ items: [Value], key: Value, reverse: Bool) throws -> [Value] {
        if case .nil = key, !reverse, let sorted = numbersSortedInPlace(items) { return sorted }
        var keys = items
        if case .nil = key {} else { keys = try items.map { try call(key, [$0]) } }
        var order = Array(keys.indices)
        var failure: Error? = nil
        order.sort { i, j in
            if failure != nil { return false }
            do {
                let less = try compare(.lt, keys[i], keys[j]).isTruthy
                if less { return !reverse }
                if reverse { return try compare(.lt, keys[j], keys[i]).isTruthy }
                return false
            } catch { failure = error; return false }
        }
        if let failure { throw RuntimeError("sort: \((failure as? RuntimeError)?.message ?? "\(failure)")") }
        // stability: Swift's sort is not guaranteed stable; restore it for equal keys
        return order.map { items[$0] }
    }

    /// Text for `help(name)` (and the REPL's `:help NAME`), or nil if unknown.
    public func helpText(for name: String) -> String? {
        if let v = global(name) { return helpText(forValue: v) }
        if let k = keywordHelp[name] { return k }
        switch name {
        case "list": return "list: a mutable sequence, [1, 2, 3]. Index with xs[0] (negative from the end), slice with xs[1:3] or xs[::2]. Members: len; methods: \(listMethods.keys.sorted().joined(separator: ", "))."
        case "string": return "string: immutable text, \"a\\(x)b\" interpolates, \"\"\"...\"\"\" spans lines. s[0], s[1:3], s.len; methods: \(stringMethods.keys.sorted().joined(separator: ", "))."
        case "dict": return "dict: insertion-ordered map, {lr: 3e-4, \"a b\": 1}. d.lr or d[\"lr\"] reads (missing keys are errors; d.get(k, default) is not), d.x = 1 writes. Methods: \(dictMethods.keys.sorted().joined(separator: ", "))."
        case "number": return "number: a 64-bit float; integers print without .0. Division by zero gives inf or nan (IEEE)."
        case "range": return "range: range(start, stop, step), a lazy arithmetic sequence; members start, stop, step, len."
        default: return nil
        }
    }

    public func helpText(forValue v: Value) -> String {
        switch v {
        case .native(let nf): return "\(nf.signature)\n\(nf.doc)"
        case .function(let c):
            let sig = "\(c.proto.name)(\(c.proto.parameterNames.joined(separator: ", ")))"
            return c.proto.doc.map { "\(sig)\n\($0)" } ?? "\(sig)\n(defined at \(c.proto.location); no doc string: start the body with a string to add one)"
        case .object(let o): return o.helpText
        default: return helpText(for: typeName(v)) ?? "a value of type \(typeName(v))"
        }
    }

    /// help(): the builtins grouped by topic (those without one are the
    /// language's own), then the keywords.
    func helpOverview() -> String {
        var byTopic: [String: [String]] = [:]
        for name in globalNameList {
            guard let value = global(name) else { continue }
            let topic = helpTopicOfName[name]
            guard topic != nil || { if case .native = value { return true }; return false }() else { continue }
            byTopic[topic ?? "language", default: []].append(name)
        }
        var text = ""
        for topic in helpTopicOrder + ["language"] {
            guard let names = byTopic.removeValue(forKey: topic) else { continue }
            text += "\(topic): \(names.sorted().joined(separator: ", "))\n"
        }
        text += "keywords: \(keywordHelp.keys.sorted().joined(separator: ", "))\n"
        return text + "help(\"name\") or help(value) shows one of them."
    }
}

/// Sorts a list made only of numbers quickly (nil if it holds anything else).
func numbersSortedInPlace(_ items: [Value]) -> [Value]? {
    var xs: [Double] = []
    xs.reserveCapacity(items.count)
    for v in items { guard case .number(let d) = v else { return nil }; xs.append(d) }
    if xs.contains(where: { $0.isNaN }) { return nil }
    xs.sort()
    return xs.map { .number($0) }
}

func formatFixed(_ d: Double, _ digits: Int) -> String {
    if !d.isFinite { return formatNumber(d) }
    var buf = [CChar](repeating: 0, count: 400)
    _ = withVaList([digits, d]) { vsnprintf(&buf, 400, "%.*f", $0) }
    return String(cString: buf)
}

extension String {
    func trimmingWhitespace() -> String {
        let ws: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !ws($0) }), let last = lastIndex(where: { !ws($0) }) else { return "" }
        return String(self[first...last])
    }
}

/// The printed forms of `items` with `separator` between them. A list of
/// strings is measured first and copied into one allocation of the exact size
/// (appending piece by piece regrows the result and goes through String's
/// general append path for every piece); the items are read in place.
func joinedString(_ items: [Value], separator: String) -> String {
    if items.isEmpty { return "" }
    var total = separator.utf8.count * (items.count - 1)
    let stringTag = (ValueTags.current ?? .unverified).string
    let allStrings = items.withUnsafeBufferPointer { values in
        for i in 0..<values.count {
            guard let s = peek(values.baseAddress! + i, tag: stringTag, as: StringObject.self) else { return false }
            total += s._withUnsafeGuaranteedRef { $0.value.utf8.count }
        }
        return true
    }
    if !allStrings { return items.map(displayString).joined(separator: separator) }
    return items.withUnsafeBufferPointer { values in
        String(unsafeUninitializedCapacity: total) { out in
            var at = 0
            func copy(_ text: String) {
                _ = text.utf8.withContiguousStorageIfAvailable { bytes in
                    guard at + bytes.count <= out.count else { return }
                    for i in 0..<bytes.count { out[at + i] = bytes[i] }
                    at += bytes.count
                }
            }
            for i in 0..<values.count {
                if i > 0 && !separator.isEmpty { copy(separator) }
                if let s = peek(values.baseAddress! + i, tag: stringTag, as: StringObject.self) {
                    s._withUnsafeGuaranteedRef { copy($0.value) }
                }
            }
            return at
        }
    }
}
