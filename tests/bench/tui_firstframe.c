/* tui_firstframe: time from process start to the dashboard's first frame.
 * Built and run by tests/bench/tui_bench.sh (not part of the project build).
 *
 *   tui_firstframe RESULT DUMP CMD [ARG...]
 *
 * Watches DUMP's folder with inotify, takes CLOCK_MONOTONIC, forks and execs
 * CMD (which inherits the terminal: run it inside a tmux pane) and waits for
 * DUMP to appear: the dashboard writes CODEFLEET_TEST_DUMP right after the
 * first refresh(), as DUMP.tmp renamed to DUMP (IN_MOVED_TO). Then it reads
 * VmRSS and VmHWM of the child and its main thread's schedstat (time on a CPU
 * and time waiting for one), copies DUMP to DUMP.first at once (the dashboard
 * rewrites DUMP on every frame; the next one needs a loop turn), writes one
 * line to RESULT
 *
 *     ok MS_TO_FIRST_FRAME VMRSS_KB VMHWM_KB CPU_MS RUNQUEUE_WAIT_MS
 *
 * (or "timeout" / "exited STATUS" / "error WHAT") and waits for the child,
 * whose exit status becomes its own. The file's mtime is not used: Linux
 * stamps files with the coarse clock (one jiffy, 4 ms here).
 *
 * Sleeps in poll() while it waits, so it takes no CPU from the dashboard. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 30000

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long status_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			v = strtol(line + klen + 1, NULL, 10);
	fclose(fp);
	return v;
}

/* The main thread's /proc/PID/schedstat: ms on a CPU, ms waiting in a run
 * queue (the first frame is drawn by the main thread alone). */
static void sched_ms(pid_t pid, double *cpu, double *wait)
{
	char path[64];
	unsigned long long run = 0, queued = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	fp = fopen(path, "r");
	if (fp && fscanf(fp, "%llu %llu", &run, &queued) != 2)
		run = queued = 0;
	if (fp)
		fclose(fp);
	*cpu = (double)run / 1e6;
	*wait = (double)queued / 1e6;
}

/* Copies the frame just written (DUMP is replaced by rename, never rewritten
 * in place, so what we open is one whole frame). */
static void copy_file(const char *from)
{
	char to[4200], buf[65536];
	FILE *in = fopen(from, "r"), *out;
	size_t n;

	snprintf(to, sizeof(to), "%s.first", from);
	out = fopen(to, "w");
	while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
}

static void put(const char *result, const char *fmt, double ms, long rss, long hwm)
{
	FILE *fp = fopen(result, "w");

	if (!fp)
		return;
	fprintf(fp, fmt, ms, rss, hwm);
	fclose(fp);
}

int main(int argc, char **argv)
{
	char dirbuf[4096], basebuf[4096], buf[8192];
	const char *result, *dump, *dir, *base;
	double t0, t1 = -1;
	int fd, st = 0;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: tui_firstframe RESULT DUMP CMD [ARG...]\n");
		return 2;
	}
	result = argv[1];
	dump = argv[2];
	snprintf(dirbuf, sizeof(dirbuf), "%s", dump);
	snprintf(basebuf, sizeof(basebuf), "%s", dump);
	dir = dirname(dirbuf);
	base = basename(basebuf);
	unlink(dump);
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0 || inotify_add_watch(fd, dir, IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
		put(result, "error inotify %.0f %ld %ld\n", 0, 0, 0);
		return 2;
	}
	t0 = now_ms();
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	while (t1 < 0) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int left = (int)(t0 + WAIT_MS - now_ms());
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left) == 0) {
			put(result, "timeout %.0f %ld %ld\n", 0, 0, 0);
			kill(pid, SIGTERM);
			break;
		}
		if (waitpid(pid, &st, WNOHANG) == pid) {
			put(result, "exited %.0f %ld %ld\n", (double)st, 0, 0);
			return 1;
		}
		n = read(fd, buf, sizeof(buf));
		if (n <= 0 && errno != EINTR)
			break;
		for (char *p = buf; n > 0 && p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)(void *)p;

			if ((ev->mask & (IN_MOVED_TO | IN_CLOSE_WRITE)) && ev->len &&
			    !strcmp(ev->name, base))
				t1 = now_ms();
			p += sizeof(*ev) + ev->len;
		}
	}
	if (t1 >= 0) {
		double cpu, wait;
		FILE *fp;

		copy_file(dump);
		sched_ms(pid, &cpu, &wait);
		fp = fopen(result, "w");
		if (fp) {
			fprintf(fp, "ok %.3f %ld %ld %.3f %.3f\n", t1 - t0, status_kb(pid, "VmRSS"),
			        status_kb(pid, "VmHWM"), cpu, wait);
			fclose(fp);
		}
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
