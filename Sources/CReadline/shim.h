// CReadline: GNU readline and history (Debian's libreadline-dev).
// Swift 6 rejects assigning readline's global hook variables directly
// (unsafe shared mutable state), so the setters below do it in C.
#ifndef LFR_CREADLINE_SHIM_H
#define LFR_CREADLINE_SHIM_H
#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>

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
#endif
