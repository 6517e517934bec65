/* disc_duration: durations as the configuration writes them: "30s", "10m",
 * "24h", "1h30m", "500ms", "7d", "1.5h" (units d h m s ms, summed; "0"
 * alone is zero), in milliseconds. */
#ifndef CODEFLEET_DISC_DURATION_H
#define CODEFLEET_DISC_DURATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses s into milliseconds. Returns false when malformed, negative or
 * too large. */
bool disc_duration_parse(const char *s, int64_t *ms);
/* Writes ms as the shortest such string ("1h30m", "0s") into buf. */
void disc_duration_format(int64_t ms, char *buf, size_t size);

#endif
