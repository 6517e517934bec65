/* disc_cfgwrite: write a configuration as YAML (see disc_cfgwrite.h). */
#include "discovery/disc_cfgwrite.h"

#include <string.h>

#include "discovery/disc_config.h"
#include "discovery/disc_duration.h"
#include "util/jsonw.h"
#include "util/strbuf.h"

static void put_str(struct strbuf *sb, const char *s)
{
	jsonw_quote(sb, s, strlen(s));
}

static void put_list(struct strbuf *sb, const struct disc_strv *sv)
{
	strbuf_putc(sb, '[');
	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			strbuf_puts(sb, ", ");
		put_str(sb, sv->v[i]);
	}
	strbuf_puts(sb, "]\n");
}

static void put_dur(struct strbuf *sb, const char *key, int64_t ms)
{
	char buf[64];

	disc_duration_format(ms, buf, sizeof(buf));
	strbuf_printf(sb, "  %s: %s\n", key, buf);
}

static const char *tf(bool b)
{
	return b ? "true" : "false";
}

static void write_override(struct strbuf *sb, const struct disc_config_override *ov)
{
	strbuf_puts(sb, "    ");
	put_str(sb, ov->alias);
	strbuf_puts(sb, ":");
	if (!ov->label && !ov->has_priority && !ov->opencode_path && !ov->roots.n && ov->mode < 0) {
		strbuf_puts(sb, " {}\n");
		return;
	}
	strbuf_putc(sb, '\n');
	if (ov->label) {
		strbuf_puts(sb, "      label: ");
		put_str(sb, ov->label);
		strbuf_putc(sb, '\n');
	}
	if (ov->has_priority)
		strbuf_printf(sb, "      priority: %d\n", ov->priority);
	if (ov->opencode_path) {
		strbuf_puts(sb, "      opencode_path: ");
		put_str(sb, ov->opencode_path);
		strbuf_putc(sb, '\n');
	}
	if (ov->roots.n) {
		strbuf_puts(sb, "      roots: ");
		put_list(sb, &ov->roots);
	}
	if (ov->mode >= 0)
		strbuf_printf(sb, "      mode: %s\n", disc_config_mode_name(ov->mode));
}

static void write_hosts(const struct disc_config *cfg, struct strbuf *sb)
{
	strbuf_puts(sb, "hosts:\n  include: ");
	put_list(sb, &cfg->hosts.include);
	strbuf_puts(sb, "  ignore: ");
	put_list(sb, &cfg->hosts.ignore);
	strbuf_printf(sb, "  groups:%s\n", cfg->hosts.n_groups ? "" : " {}");
	for (size_t i = 0; i < cfg->hosts.n_groups; i++) {
		strbuf_puts(sb, "    ");
		put_str(sb, cfg->hosts.groups[i].name);
		strbuf_puts(sb, ": ");
		put_list(sb, &cfg->hosts.groups[i].globs);
	}
	strbuf_printf(sb, "  overrides:%s\n", cfg->hosts.n_overrides ? "" : " {}");
	for (size_t i = 0; i < cfg->hosts.n_overrides; i++)
		write_override(sb, &cfg->hosts.overrides[i]);
}

void disc_cfgwrite_yaml(const struct disc_config *cfg, struct strbuf *sb)
{
	strbuf_puts(sb, "polling:\n");
	put_dur(sb, "interval", cfg->polling.interval_ms);
	put_dur(sb, "timeout", cfg->polling.timeout_ms);
	strbuf_printf(sb, "  max_parallel: %d\n", cfg->polling.max_parallel);
	strbuf_printf(sb, "display:\n  theme: %s\n  unicode: %s\n  animation: %s\n",
	              disc_config_theme_name(cfg->display.theme), tf(cfg->display.unicode),
	              tf(cfg->display.animation));
	put_dur(sb, "active_threshold", cfg->display.active_threshold_ms);
	put_dur(sb, "idle_threshold", cfg->display.idle_threshold_ms);
	write_hosts(cfg, sb);
	strbuf_puts(sb, "ssh:\n");
	put_dur(sb, "connect_timeout", cfg->ssh.connect_timeout_ms);
	strbuf_printf(sb, "  batch_mode: %s\n", tf(cfg->ssh.batch_mode));
	put_dur(sb, "keepalive_interval", cfg->ssh.keepalive_interval_ms);
	strbuf_printf(sb,
	              "  keepalive_count_max: %d\n  strict_host_key_checking: %s\n"
	              "  max_channels: %d\n  compression: %s\n",
	              cfg->ssh.keepalive_count_max,
	              disc_config_hostkey_name(cfg->ssh.strict_host_key_checking),
	              cfg->ssh.max_channels, tf(cfg->ssh.compression));
	strbuf_printf(sb,
	              "sessions:\n  sort_by: %s\n  show_archived: %s\n  max_display: %d\n"
	              "  show_empty_projects: %s\n",
	              disc_config_sort_name(cfg->sessions.sort_by), tf(cfg->sessions.show_archived),
	              cfg->sessions.max_display, tf(cfg->sessions.show_empty_projects));
	strbuf_puts(sb, "keybindings:\n");
	for (int i = 0; i < DISC_ACT_COUNT; i++) {
		strbuf_printf(sb, "  %s: ", disc_config_action_name(i));
		put_list(sb, &cfg->keys[i]);
	}
	strbuf_puts(sb, "roots: ");
	put_list(sb, &cfg->roots);
	strbuf_printf(sb, "mode: %s\nlocal: %s\n", disc_config_mode_name(cfg->mode),
	              tf(cfg->local));
}
