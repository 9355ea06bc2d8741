// lfr_interrupt: the process's one interrupt flag (Ctrl-C, SIGTERM).
// Set from a signal handler (async-signal-safe: a lock-free atomic store);
// polled by the language's VM (TensorCore-free) and by the core's long
// loops alike, so a stop request is seen by whichever is running, and
// cleared once, by whoever handles the stop.
#ifndef LFR_INTERRUPT_H
#define LFR_INTERRUPT_H

void lfr_interrupt_request(void);
void lfr_interrupt_clear(void);
int lfr_interrupt_pending(void);

#endif
