/*
 * session.c - the front end of a run session (see session.h): option
 * parsing shared by run and attach, and the printing around the calls
 * into lib/collect.
 */
#include "common/session.h"

#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cli.h"
#include "report/report.h"

extern char **environ;

/* --open: open the HTML report when the run is done (the front end's own
 * option, not the session's; one session per process). */
static int open_report;

static int parse_cg(const char *sub, const char *arg, int *out)
{
	if (!strcmp(arg, "dwarf"))
		*out = CDOC_CG_DWARF;
	else if (!strcmp(arg, "fp"))
		*out = CDOC_CG_FP;
	else if (!strcmp(arg, "auto"))
		*out = CDOC_CG_AUTO;
	else
		return cli_usage_error(sub,
		                       "--call-graph: '%s' is not dwarf, "
		                       "fp or auto",
		                       arg);
	return 0;
}

int cli_session_opt(struct cdoc_collect_opts *o, const char *sub, int c,
                    const char *arg)
{
	double v = 0;
	int ret = 0;

	switch (c) {
	case 'F':
		ret = cli_parse_double(sub, "-F", arg, 1, 100000, &v);
		o->freq = (unsigned)v;
		break;
	case 'e':
		o->event = arg;
		break;
	case OPT_CG:
		ret = parse_cg(sub, arg, &o->call_graph);
		break;
	case OPT_STACK:
		ret = cli_parse_double(sub, "--stack-size", arg, 8, 65528, &v);
		o->stack_size = ((unsigned)v + 7) & ~7u;
		break;
	case OPT_MMAP:
		ret = cli_parse_double(sub, "--mmap-kib", arg, 32, 1 << 20, &v);
		o->ring_kib = (unsigned)v;
		break;
	case 'd':
		ret = cli_parse_double(sub, "--duration", arg, 0.001, 1e7,
		                       &o->duration);
		break;
	case 'o':
		o->output = arg;
		break;
	case OPT_NOHTML:
		o->html = 0;
		break;
	case OPT_FORCE:
		o->force = 1;
		break;
	case OPT_OPEN:
		open_report = 1;
		break;
	case OPT_NO_OFFCPU:
		o->no_offcpu = 1;
		break;
	case OPT_OFFCPU_EVERY:
		ret = cli_parse_double(sub, "--offcpu-every", arg, 1, 1e6, &v);
		o->offcpu_every = (unsigned)v;
		break;
	default:
		return cli_usage_error(sub, "unknown option");
	}
	return ret ? 2 : 0;
}

static void print_summary(struct cdoc_recording *r)
{
	struct cdoc_report_opts ro;
	struct cdoc_buf b = CDOC_BUF_INIT;

	cdoc_report_opts_init(&ro);
	ro.top = 10;
	ro.colour = cli_colour(stderr);
	cdoc_report_text(r, &ro, &b);
	fputs("\n", stderr);
	cdoc_buf_write(&b, stderr);
	cdoc_buf_release(&b);
}

/* The HTML report (diagnoses, counters, flame graph) at @path. */
static int write_html(struct cdoc_recording *r, const char *path)
{
	struct cdoc_report_opts ro;
	struct cdoc_buf out = CDOC_BUF_INIT;
	int ret;

	cdoc_report_opts_init(&ro);
	ret = cdoc_report_html(r, &ro, &out);
	if (ret < 0)
		cli_lib_error();
	else
		ret = cli_write_output(path, &out) ? -EIO : 0;
	cdoc_buf_release(&out);
	return ret;
}

/* Whether @name is an executable file in $PATH. */
static int in_path(const char *name)
{
	const char *path = getenv("PATH");
	struct cdoc_buf b = CDOC_BUF_INIT;
	int found = 0;

	while (path && *path && !found) {
		size_t len = strcspn(path, ":");

		cdoc_buf_reset(&b);
		cdoc_buf_addf(&b, "%.*s/%s", (int)len, path, name);
		found = len && access(b.buf, X_OK) == 0;
		path += len + (path[len] == ':');
	}
	cdoc_buf_release(&b);
	return found;
}

/* --open: hand @page to xdg-open (not waited for: it may stay with the
 * browser), or say why not and where the page is. */
static void open_page(const char *page)
{
	char *argv[] = {"xdg-open", (char *)page, NULL};
	const char *why = NULL;
	pid_t pid;

	if (!in_path("xdg-open"))
		why = "xdg-open is not installed (Debian: xdg-utils)";
	else if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY"))
		why = "no graphical session (DISPLAY and WAYLAND_DISPLAY "
		      "unset)";
	else if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ))
		why = "xdg-open could not be started";
	if (why)
		cli_error("--open: %s; open %s in a browser", why, page);
}
void (*cli_session_done)(struct cdoc_recording *r);
int (*cli_session_started)(struct cdoc_collector *c);

static void report(const struct cdoc_collect_result *res, int html)
{
	struct cdoc_recording r;
	char *page = cdoc_collect_report_path(res->path);

	if (cdoc_recording_load(&r, res->path) < 0) {
		cli_lib_error();
		free(page);
		return;
	}
	print_summary(&r);
	fprintf(stderr,
	        "cdoctor: %llu samples, %llu lost, %llu unwind "
	        "failures, %llu truncated stacks; collector CPU %.2f s\n",
	        (unsigned long long)res->stats.samples,
	        (unsigned long long)res->stats.lost,
	        (unsigned long long)res->stats.unwind_failures,
	        (unsigned long long)res->stats.truncated,
	        res->self_cpu_ns / 1e9);
	if (html && write_html(&r, page) == 0) {
		fprintf(stderr, "recording: %s\nreport:    %s\n", res->path,
		        page);
		if (open_report)
			open_page(page);
	} else
		fprintf(stderr, "recording: %s\n", res->path);
	if (cli_session_done)
		cli_session_done(&r);
	free(page);
	cdoc_recording_release(&r);
}

static void print_notices(const struct cdoc_collector *c, size_t *shown)
{
	size_t nr;
	const char *const *lines = cdoc_collect_notices(c, &nr);

	for (; *shown < nr; (*shown)++)
		cli_error("%s", lines[*shown]);
}

/* @v bytes in B, KiB, MiB or GiB into @out. */
static void human_bytes(char *out, size_t size, double v)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	size_t u = 0;

	while (v >= 1024 && u + 1 < CDOC_ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	snprintf(out, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

/* The session's progress: the --on-port warning (always), and the status
 * line on a terminal (cli_progress draws nothing elsewhere). */
static void on_progress(void *arg, const struct cdoc_collect_progress *p)
{
	const struct cdoc_collect_opts *o = arg;
	static int warned;
	char cpu[32] = "?", rss[32] = "?";

	if (p->port_late && !p->port && !warned) {
		warned = 1;
		cli_error("--on-port: the program has listened on no TCP port "
		          "after %g s; still waiting for it to listen on any "
		          "port before running: %s",
		          p->port_wait, o->on_port);
	}
	if (p->cpu_pct >= 0)
		snprintf(cpu, sizeof(cpu), "%.0f%%", p->cpu_pct);
	if (p->rss_bytes >= 0)
		human_bytes(rss, sizeof(rss), p->rss_bytes);
	cli_progress("%.1f s, %llu samples, CPU %s, RSS %s%s",
	             p->elapsed_ns / 1e9, (unsigned long long)p->samples, cpu,
	             rss,
	             p->port_late && !p->port ? ", waiting for a port" : "");
}

int cli_session_run(struct cdoc_collect_opts *o, int exit_with_target)
{
	struct cdoc_collector *c;
	struct cdoc_collect_result res = {0};
	size_t shown = 0;
	int ret;

	if (open_report && !o->html)
		return cli_usage_error(
		        o->argv ? "run" : "attach",
		        "--open and --no-html exclude each other");
	o->progress = on_progress;
	o->progress_arg = o;
	if (cdoc_collect_new(&c, o) < 0)
		return cli_lib_error();
	print_notices(c, &shown);
	ret = cdoc_collect_start(c);
	if (ret >= 0 && cli_session_started)
		ret = cli_session_started(c);
	if (ret >= 0) {
		print_notices(c, &shown);
		ret = cdoc_collect_loop(c);
		cli_progress_done();
	}
	if (ret >= 0)
		ret = cdoc_collect_finish(c, &res);
	if (ret < 0)
		cli_lib_error();
	cdoc_collect_free(c);
	if (ret >= 0)
		report(&res, o->html);
	if (ret < 0)
		ret = 2;
	else
		ret = exit_with_target ? res.exit_code : 0;
	cdoc_collect_result_release(&res);
	return ret;
}
