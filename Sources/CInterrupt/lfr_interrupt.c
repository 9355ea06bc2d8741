// See include/lfr_interrupt.h: the storage of the flag.
#include "lfr_interrupt.h"

atomic_int lfr_interrupt_flag = 0;
