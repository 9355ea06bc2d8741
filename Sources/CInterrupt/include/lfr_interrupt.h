// lfr_interrupt: the process's one interrupt flag (Ctrl-C, SIGTERM).
// Set from a signal handler (async-signal-safe: a lock-free atomic store);
// polled by the language's VM (TensorCore-free) and by the core's long
// loops alike, so a stop request is seen by whichever is running, and
// cleared once, by whoever handles the stop. Polling is an inline relaxed
// load: the VM does it at every loop back-edge and after every native call.
#ifndef LFR_INTERRUPT_H
#define LFR_INTERRUPT_H

#include <stdatomic.h>

extern atomic_int lfr_interrupt_flag;

static inline void lfr_interrupt_request(void) { atomic_store_explicit(&lfr_interrupt_flag, 1, memory_order_relaxed); }
static inline void lfr_interrupt_clear(void) { atomic_store_explicit(&lfr_interrupt_flag, 0, memory_order_relaxed); }
static inline int lfr_interrupt_pending(void) { return atomic_load_explicit(&lfr_interrupt_flag, memory_order_relaxed); }

#endif
