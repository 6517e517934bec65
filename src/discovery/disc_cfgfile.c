/* disc_cfgfile: the config file's path, reading and atomic creation (see
 * disc_cfgfile.h). */
#include "discovery/disc_cfgfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/strbuf.h"
#include "util/xmem.h"

const char *disc_cfgfile_home(void)
{
	const char *h = getenv("HOME");

	return h && h[0] == '/' ? h : NULL;
}

char *disc_cfgfile_default_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	const char *h = disc_cfgfile_home();

	/* The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored. */
	if (x && x[0] == '/')
		return xasprintf("%s/codefleet/config.yaml", x);
	if (h)
		return xasprintf("%s/.config/codefleet/config.yaml", h);
	return NULL;
}

int disc_cfgfile_read(const char *path, char **text, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;
	FILE *fp = fopen(path, "rb");

	*text = NULL;
	if (!fp)
		return err_set(ERR_CONFIG, "%s: cannot read the config file: %s", path,
		               strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_append(&sb, buf, n);
	if (ferror(fp)) {
		fclose(fp);
		strbuf_free(&sb);
		return err_set(ERR_CONFIG, "%s: cannot read the config file: %s", path,
		               strerror(errno ? errno : EIO));
	}
	fclose(fp);
	*len = sb.len;
	*text = strbuf_take(&sb);
	return ERR_OK;
}

/* mkdir -p of the folder holding `path`; new folders are 0700 (XDG). */
static int make_parent_dirs(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = ERR_OK;

	if (!slash || slash == dir)
		goto out;
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char save = *p;

		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			rc = err_set(ERR_IO, "cannot create %s: %s", dir, strerror(errno));
			goto out;
		}
		*p = save;
		if (!save)
			break;
	}
out:
	free(dir);
	return rc;
}

static int write_all(int fd, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes a temporary file next to `path`, then links it into place, which
 * fails rather than replaces when `path` exists (then theirs is kept). */
static int write_new_file(const char *path, const char *text, size_t len)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int fd = -1, rc = ERR_OK;

	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = err_set(ERR_IO, "cannot write %s: %s", path, strerror(errno));
		free(tmp);
		return rc;
	}
	if (write_all(fd, text, len) != 0 || fsync(fd) != 0) {
		rc = err_set(ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (link(tmp, path) != 0 && errno != EEXIST &&
	    renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) != 0 && errno != EEXIST)
		rc = err_set(ERR_IO, "cannot create %s: %s", path, strerror(errno));
out:
	close(fd);
	unlink(tmp);
	free(tmp);
	return rc;
}

int disc_cfgfile_create(const char *path, const char *text, size_t len)
{
	int rc = make_parent_dirs(path);

	if (rc == ERR_OK)
		rc = write_new_file(path, text, len);
	return rc;
}
