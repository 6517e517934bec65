#include "probe/probe_backoff.h"

#include <time.h>

void probe_backoff_init(struct probe_backoff *b, uint32_t base_ms, uint32_t cap_ms, uint64_t seed)
{
	struct timespec ts = {0, 0};

	if (!seed) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		seed = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)b;
	}
	b->base_ms = base_ms ? base_ms : 1;
	b->cap_ms = cap_ms < b->base_ms ? b->base_ms : cap_ms;
	b->attempts = 0;
	b->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
}

static uint64_t next_random(struct probe_backoff *b)
{
	uint64_t x = b->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	b->rng = x;
	return x;
}

uint32_t probe_backoff_next(struct probe_backoff *b)
{
	uint64_t delay = b->base_ms;
	uint64_t half = 0;

	for (uint32_t i = 0; i < b->attempts && delay < b->cap_ms; i++)
		delay *= 2;
	if (delay > b->cap_ms)
		delay = b->cap_ms;
	if (b->attempts < UINT32_MAX)
		b->attempts++;
	half = delay / 2;
	return (uint32_t)(delay - half + next_random(b) % (half + 1));
}

void probe_backoff_reset(struct probe_backoff *b)
{
	b->attempts = 0;
}
