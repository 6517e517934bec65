/* disc_cfgwrite: a configuration written back as YAML, every key spelled
 * out, which disc_config_parse reads back to the same values (the first
 * run writes an imported remote-tui.yaml this way). */
#ifndef CODEFLEET_DISC_CFGWRITE_H
#define CODEFLEET_DISC_CFGWRITE_H

struct disc_config;
struct strbuf;

/* Appends cfg as YAML to sb. */
void disc_cfgwrite_yaml(const struct disc_config *cfg, struct strbuf *sb);

#endif
