// LineEditor: reading one line at the prompt through GNU readline.
// Uses readline's callback interface with our own poll() loop so that Ctrl-C
// at the prompt (SIGINT, handled in Signals) abandons the line instead of
// killing the session or waiting for the next key press.
// What stays true here: readline never installs signal handlers of its own
// (rl_catch_signals = 0); between two calls to `read` the terminal is in its
// normal (cooked) mode, so Ctrl-C while code runs reaches our handler; the
// completion callback only reads state and never evaluates user code; a
// completion list shows at most `LineEditor.shownMatches` candidates, then
// "… and N more".
import CReadline
import Glibc

/// The outcome of reading one line.
enum LineInput: Equatable {
    case line(String)
    /// Ctrl-D on an empty line (or stdin closed).
    case endOfInput
    /// Ctrl-C at the prompt: the line (and any pending continuation) is dropped.
    case interrupted
}

/// Something that proposes completions for the text before the cursor.
protocol LineCompleter: AnyObject {
    /// Candidates replacing the last word of `textBeforeCursor` (word split per `wordBreakCharacters`).
    func completions(textBeforeCursor: String, word: String) -> Completion
    /// The characters that end a word for completion, given the text before the cursor.
    func wordBreakCharacters(textBeforeCursor: String) -> String
}

/// The candidates of one completion request.
struct Completion: Equatable {
    var candidates: [String]
    /// Append a space after a unique match (`:command` names); names, members,
    /// `label: ` candidates and paths get nothing appended.
    var appendSpace: Bool = false
}

/// The one line editor of the process (readline is global state).
final class LineEditor {
    /// Readline's callbacks are C function pointers: they reach the editor through this.
    nonisolated(unsafe) static var current: LineEditor?

    /// Text of the entry typed so far on earlier lines (for completion context).
    var pendingText = ""
    weak var completer: LineCompleter?

    private var receivedLine: LineInput?
    private var completionMatches: [String] = []
    private var completionIndex = 0
    /// The word-break characters handed to readline (it keeps the pointer until the next request).
    private var breakCharacters: UnsafeMutablePointer<CChar>?

    init(completer: LineCompleter?) {
        self.completer = completer
        LineEditor.current = self
        // Readline keeps these pointers: they must outlive the call (strdup, never freed).
        lfr_rl_set_readline_name(strdup("lfr"))   // `$if lfr` in ~/.inputrc
        lfr_rl_set_catch_signals(0)
        lfr_rl_set_catch_sigwinch(0)              // Signals' handler wakes the poll loop instead
        lfr_rl_set_change_environment(0)          // leave LINES/COLUMNS alone
        // Pasted blocks arrive as one line; ~/.inputrc may still turn it off.
        rl_variable_bind("enable-bracketed-paste", "on")
        // Up/Down with text typed recall only entries starting with it (as in
        // IPython and Julia); ~/.inputrc, read later, may bind them otherwise.
        for (key, command) in [("\\e[A", "history-search-backward"), ("\\e[B", "history-search-forward"),
                               ("\\eOA", "history-search-backward"), ("\\eOB", "history-search-forward")] {
            _ = rl_parse_and_bind(strdup("\"\(key)\": \(command)"))
        }
        // One Tab lists the candidates when it cannot complete further.
        rl_variable_bind("show-all-if-ambiguous", "on")
        // Our own list: readline's "Display all N possibilities?" and --More--
        // are answered automatically in callback mode, so long lists are cut.
        lfr_rl_set_display_matches_hook(lineEditorDisplayMatches)
        lfr_rl_set_completion(lineEditorAttemptCompletion)
        lfr_rl_set_completion_word_break_hook(lineEditorWordBreaks)
        lfr_rl_set_completion_query_items(200)
        // Completing inside a string must not close the string (readline
        // would append the quote that ended the word).
        lfr_rl_set_basic_quote_characters(strdup(""))
        lfr_rl_set_sort_completion_matches(1)
    }

    /// Reads one line with `prompt`. Blocks until Enter, Ctrl-D or Ctrl-C.
    func read(prompt: String) -> LineInput {
        fflush(stdout)
        receivedLine = nil
        _ = Signals.takeInterrupts()
        rl_callback_handler_install(prompt) { cLine in
            guard let editor = LineEditor.current else { return }
            if let cLine {
                editor.receivedLine = .line(String(cString: cLine))
                free(cLine)
            } else {
                editor.receivedLine = .endOfInput
            }
            // Stop reading before readline prints the next prompt.
            rl_callback_handler_remove()
        }
        // Watch the terminal and the wake-up pipe that the SIGINT handler writes to.
        var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: Signals.wakeReadEnd, events: Int16(POLLIN), revents: 0)]
        while receivedLine == nil {
            if Signals.takeInterrupts() > 0 {
                abandonLine()
                return .interrupted
            }
            if Signals.windowChanged.exchange(false, ordering: .relaxed) { rl_resize_terminal() }
            let ready = poll(&fds, 2, -1)   // a negative fd (no pipe) is ignored by poll
            if ready < 0 {
                if errno == EINTR { continue }   // the loop looks at what the signal changed
                rl_callback_handler_remove()
                return .endOfInput
            }
            if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                rl_callback_read_char()
            }
        }
        return receivedLine ?? .endOfInput
    }

    /// Ctrl-C at the prompt: show `^C` after the text, drop it, leave readline's state clean.
    private func abandonLine() {
        lfr_rl_point_to_end()
        rl_redisplay()
        fputs("^C", stdout)
        fflush(stdout)
        rl_free_line_state()
        rl_callback_sigcleanup()
        rl_replace_line("", 0)
        rl_callback_handler_remove()   // restores the terminal (it may print a carriage return)
        fputs("\n", stdout)
        fflush(stdout)
    }

    // MARK: - Completion callbacks (C function pointers)

    fileprivate static func attemptCompletion(_ text: UnsafePointer<CChar>?) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        lfr_rl_set_attempted_completion_over(1)   // never fall back to readline's file names
        guard let editor = LineEditor.current, let completer = editor.completer, let text else { return nil }
        let before = editor.pendingText + LineEditor.lineBeforeCursor()
        let result = completer.completions(textBeforeCursor: before, word: String(cString: text))
        if result.candidates.isEmpty { return nil }
        lfr_rl_set_completion_suppress_append(result.appendSpace ? 0 : 1)
        editor.completionMatches = result.candidates
        editor.completionIndex = 0
        return rl_completion_matches(text) { _, state in
            guard let editor = LineEditor.current else { return nil }
            if state == 0 { editor.completionIndex = 0 }
            guard editor.completionIndex < editor.completionMatches.count else { return nil }
            let match = editor.completionMatches[editor.completionIndex]
            editor.completionIndex += 1
            return strdup(match)
        }
    }

    fileprivate static func wordBreakHook() -> UnsafeMutablePointer<CChar>? {
        guard let editor = LineEditor.current, let completer = editor.completer else { return nil }
        let before = editor.pendingText + LineEditor.lineBeforeCursor()
        free(editor.breakCharacters)
        editor.breakCharacters = strdup(completer.wordBreakCharacters(textBeforeCursor: before))
        return editor.breakCharacters
    }

    static let shownMatches = 60

    /// Prints the candidates in columns fitted to the terminal (at most `shownMatches`), then redraws the prompt.
    fileprivate static func displayMatches(_ matches: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int) {
        guard let matches, count > 0 else { return }
        var names: [String] = []
        for i in 1...count where names.count < shownMatches {
            if let m = matches[i] { names.append(String(cString: m)) }
        }
        fputs("\n" + completionListText(names, total: count, width: TerminalSize.columns()), stdout)
        fflush(stdout)
        rl_forced_update_display()
    }

    /// The current line up to the cursor (rl_point counts bytes).
    static func lineBeforeCursor() -> String {
        guard let buffer = lfr_rl_line_buffer() else { return "" }
        let point = Int(lfr_rl_point())
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self),
                                        count: max(0, min(point, strlen(buffer))))
        return String(decoding: bytes, as: UTF8.self)
    }
}

private func lineEditorAttemptCompletion(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32)
    -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    LineEditor.attemptCompletion(text)
}

private func lineEditorDisplayMatches(_ matches: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int32, _ maxLength: Int32) {
    LineEditor.displayMatches(matches, Int(count))
}

/// `names` in columns across `width`, one line per row, and "… and N more"
/// when `total` is larger than the names shown.
func completionListText(_ names: [String], total: Int, width: Int) -> String {
    let cell = (names.map(\.count).max() ?? 0) + 2
    let perRow = max(1, (width - 1) / max(1, cell))
    var text = ""
    var column = 0
    for name in names {
        column += 1
        text += column == perRow ? name : name.padded(to: cell)
        if column == perRow { text += "\n"; column = 0 }
    }
    if column != 0 { text = String(text.reversed().drop(while: { $0 == " " }).reversed()) + "\n" }
    if total > names.count { text += "… and \(grouped(total - names.count)) more (type more letters)\n" }
    return text
}

private func lineEditorWordBreaks() -> UnsafeMutablePointer<CChar>? {
    LineEditor.wordBreakHook()
}
