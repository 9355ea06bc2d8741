// See include/lfr_interrupt.h.
#include "lfr_interrupt.h"
#include <stdatomic.h>

static atomic_int flag = 0;

void lfr_interrupt_request(void) { atomic_store_explicit(&flag, 1, memory_order_relaxed); }
void lfr_interrupt_clear(void) { atomic_store_explicit(&flag, 0, memory_order_relaxed); }
int lfr_interrupt_pending(void) { return atomic_load_explicit(&flag, memory_order_relaxed); }
