/* probe_backoff: how long to wait before reopening a dropped connection.
 *
 * Exponential with "equal jitter": the n-th retry (n from 0) waits between
 * half and all of min(cap, base * 2^n), so a fleet that dropped at once does
 * not reconnect in lock step, and no host waits longer than cap. */
#ifndef CODEFLEET_PROBE_BACKOFF_H
#define CODEFLEET_PROBE_BACKOFF_H

#include <stdint.h>

struct probe_backoff {
	uint32_t base_ms;  /* first delay (before jitter) */
	uint32_t cap_ms;   /* no delay is longer */
	uint32_t attempts; /* failures since the last success */
	uint64_t rng;      /* xorshift state; seeded by probe_backoff_init */
};

/* seed 0 picks one from the clock and the object's address. */
void probe_backoff_init(struct probe_backoff *b, uint32_t base_ms, uint32_t cap_ms, uint64_t seed);
/* Counts one failure and returns the delay before the next attempt. */
uint32_t probe_backoff_next(struct probe_backoff *b);
/* A success: the next failure starts again from base_ms. */
void probe_backoff_reset(struct probe_backoff *b);

#endif
