/* clock: the two clocks codefleet reads, in milliseconds.
 * Deadlines and timers use the monotonic clock (it never jumps); times that
 * are shown or stored (probed_at, cache rows) use the wall clock. */
#ifndef CODEFLEET_UTIL_CLOCK_H
#define CODEFLEET_UTIL_CLOCK_H

#include <stdint.h>

int64_t clock_mono_ms(void);
int64_t clock_wall_ms(void);

#endif
