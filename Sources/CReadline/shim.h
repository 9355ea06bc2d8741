// CReadline: GNU readline and history (Debian's libreadline-dev).
// Swift 6 rejects assigning readline's global hook variables directly
// (unsafe shared mutable state), so the setters below do it in C.
#ifndef LFR_CREADLINE_SHIM_H
#define LFR_CREADLINE_SHIM_H
#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>
#include <sys/ioctl.h>

static inline void lfr_rl_set_completion(rl_completion_func_t *fn) {
    rl_attempted_completion_function = fn;
}
static inline void lfr_rl_set_completion_append_character(int c) {
    rl_completion_append_character = c;
}
static inline void lfr_rl_set_attempted_completion_over(int v) {
    rl_attempted_completion_over = v;
}
static inline void lfr_rl_set_basic_word_break_characters(const char *s) {
    rl_basic_word_break_characters = s;
}
static inline void lfr_rl_set_readline_name(const char *s) {
    rl_readline_name = s;
}
static inline void lfr_rl_set_catch_signals(int v) {
    rl_catch_signals = v;
}
static inline void lfr_rl_set_startup_hook(rl_hook_func_t *fn) {
    rl_startup_hook = fn;
}
static inline void lfr_rl_set_event_hook(rl_hook_func_t *fn) {
    rl_event_hook = fn;
}
static inline void lfr_rl_set_completion_query_items(int n) {
    rl_completion_query_items = n;
}
static inline void lfr_rl_set_completion_word_break_hook(rl_cpvfunc_t *fn) {
    rl_completion_word_break_hook = fn;
}
static inline void lfr_rl_set_completion_suppress_append(int v) {
    rl_completion_suppress_append = v;
}
static inline void lfr_rl_set_sort_completion_matches(int v) {
    rl_sort_completion_matches = v;
}
static inline void lfr_rl_set_catch_sigwinch(int v) {
    rl_catch_sigwinch = v;
}
static inline void lfr_rl_set_change_environment(int v) {
    rl_change_environment = v;
}
static inline void lfr_rl_set_basic_quote_characters(const char *s) {
    rl_basic_quote_characters = s;
}
/* The text of the line being edited and the cursor position in it. */
static inline const char *lfr_rl_line_buffer(void) { return rl_line_buffer; }
static inline int lfr_rl_point(void) { return rl_point; }
/* Moves the cursor to the end of the line being edited. */
static inline void lfr_rl_point_to_end(void) { rl_point = rl_end; }
/* History file format: a '#<seconds>' line before each entry, so that an
   entry spanning several lines reads back as one entry. */
static inline void lfr_history_set_multiline_format(void) {
    history_comment_char = '#';
    history_write_timestamps = 1;
    history_multiline_entries = 1;
}
static inline void lfr_rl_set_display_matches_hook(rl_compdisp_func_t *fn) {
    rl_completion_display_matches_hook = fn;
}
/* Columns of the terminal on `fd`, or 0 if it is not a terminal. */
static inline int lfr_terminal_columns(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return 0;
    return ws.ws_col;
}
#endif
