/*
 * shim.c - the allocation shim's stream as an evidence source: the
 * launched command gets the shim through its environment (never through
 * cdoctor's), the stream is read into the heap model whenever the
 * channel is readable, snapshots go into the recording at intervals, at
 * the end, and on demand through the run's control socket (lib/heapctl).
 *
 * The default policy lives here too: sampled tracking unless told
 * otherwise; without the shim, the default goes on with a notice and an
 * explicit request fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/fdsites.h"
#include "collect/internal.h"
#include "collect/ticks.h"
#include "heap/heap.h"
#include "heapctl/heapctl.h"
#include "heapfile/heapfile.h"
#include "record/record.h"

struct shim_src {
	struct cdoc_heap_collector *hc;
	struct cdoc_collector *c;
	unsigned interval_ms;
	uint64_t start_ns, next_ns;
	int quiet_fd[2]; /* replaces the channel after its end (never
			    readable, so the loop does not spin) */
	struct cdoc_heap_control *ctl; /* on-demand snapshots; or NULL */
	char mode[64]; /* how allocations are tracked, for the recording */
	uint64_t long_tick_ns;   /* the threshold the shim was given */
	struct ticks_src *ticks; /* event-loop ticks (ticks.c), from start */
	struct fdsites *fds;     /* descriptors by opening site (fdsites.c) */
};

static int shim_env(void *st, struct cdoc_collector *c, struct cdoc_env *env)
{
	struct shim_src *s = st;
	char **v;
	int ret = cdoc_heap_collector_env(s->hc, env->v, &v);

	if (ret < 0)
		return ret;
	cdoc_env_take(env, v);
	return 0;
}

static void quieten(struct shim_src *s)
{
	if (s->quiet_fd[0] >= 0 || pipe(s->quiet_fd) < 0)
		return;
	dup2(s->quiet_fd[0], cdoc_heap_collector_fd(s->hc));
}

/* Read what the stream holds now into the model. */
static int read_stream(struct shim_src *s)
{
	int ret = cdoc_heap_collector_poll(s->hc);

	if (ret == -EPIPE) {
		quieten(s);
		return 0;
	}
	return ret < 0 ? ret : 0;
}

static int snapshot(struct shim_src *s, const char *name, int last)
{
	struct cdoc_rec_writer *w = cdoc_collect_writer(s->c);
	struct cdoc_heap_snap snap;
	int ret;

	if (!w)
		return 0;
	cdoc_heap_snap_init(&snap);
	ret = cdoc_heap_snapshot(cdoc_heap_collector_model(s->hc), &snap);
	if (!ret)
		ret = cdoc_heap_rec_write(w, name, &snap);
	if (!ret && last)
		ret = cdoc_heap_rec_profiles(w, &snap);
	cdoc_heap_snap_release(&snap);
	return ret;
}

static void close_control(struct shim_src *s)
{
	cdoc_heap_control_free(s->ctl);
	s->ctl = NULL;
}

/* An on-demand snapshot: up to date with the stream, on disk at once. */
static int control_snapshot(void *arg, const char *name, struct cdoc_buf *where)
{
	struct shim_src *s = arg;
	struct cdoc_rec_writer *w = cdoc_collect_writer(s->c);
	char cwd[4096];
	int ret;

	if (!w)
		return cdoc_error(-EINVAL, "this run has no recording");
	if ((ret = read_stream(s)) < 0 || (ret = snapshot(s, name, 0)) < 0 ||
	    (ret = cdoc_rec_flush(w)) < 0)
		return ret;
	if (w->path[0] != '/' && getcwd(cwd, sizeof(cwd)))
		cdoc_buf_addf(where, "%s/", cwd);
	cdoc_buf_addstr(where, w->path);
	return 0;
}

/* Listen for `cdoctor heap snapshot PID`; without it the run goes on
 * (with a notice that says why). */
static void open_control(struct shim_src *s)
{
	pid_t pid = cdoc_collect_pid(s->c);

	if (cdoc_heap_control_listen(&s->ctl, pid) < 0) {
		cdoc_collect_add_notice(s->c,
		                        "warning: no on-demand heap snapshots: "
		                        "%s",
		                        cdoc_errmsg());
		cdoc_errclear();
		return;
	}
	cdoc_collect_add_notice(s->c,
	                        "target pid %ld: 'cdoctor heap snapshot %ld' "
	                        "writes a heap snapshot now",
	                        (long)pid, (long)pid);
}

/* Every EXT record of the stream, by kind (alloc/stream.h). */
static int on_ext(void *arg, uint32_t pid, uint32_t tid, uint64_t instance,
                  uint64_t time_ns, uint32_t kind, const void *payload,
                  size_t len)
{
	struct shim_src *s = arg;

	(void)time_ns;
	switch (kind) {
	case CDOC_AEXT_TICKS:
		return collect__ticks_take(s->ticks, pid, tid, payload, len);
	case CDOC_AEXT_FD: /* descriptors by opening site (fdsites.c) */
		return s->fds ? collect__fdsites_ext(s->fds, pid, tid, instance,
		                                     payload, len)
		              : 0;
	}
	return 0;
}

/* Cumulative counts from the stream: allocations (estimates when
 * sampled) and event-loop ticks, as METRICS. */
static int write_rates(struct shim_src *s)
{
	static const char *const names[] = {"alloc_count_total",
	                                    "alloc_bytes_total",
	                                    "free_count_total", "ticks_total"};
	struct cdoc_heap_totals tot;
	double v[4];

	cdoc_heap_get_totals(cdoc_heap_collector_model(s->hc), &tot);
	v[0] = (double)tot.allocs;
	v[1] = (double)tot.bytes;
	v[2] = (double)tot.frees;
	v[3] = (double)collect__ticks_total(s->ticks);
	return cdoc_rec_metrics(cdoc_collect_writer(s->c),
	                        cdoc_collect_elapsed_ns(s->c), names, v, 4);
}

/* What the stream gave since the last call: ticks, then the totals. */
static int write_stream_evidence(struct shim_src *s)
{
	struct cdoc_rec_writer *w = cdoc_collect_writer(s->c);
	int ret;

	if (!w)
		return 0;
	if ((ret = collect__ticks_write(s->ticks, w)) < 0)
		return ret;
	collect__set_loop_p99(s->c, collect__ticks_p99_ms(s->ticks));
	return write_rates(s);
}

static int shim_start(void *st, struct cdoc_collector *c)
{
	struct shim_src *s = st;
	struct cdoc_rec_writer *w = cdoc_collect_writer(c);
	char num[32];
	int ret;

	cdoc_heap_collector_spawned(s->hc);
	s->c = c;
	s->start_ns = cdoc_now_ns();
	s->next_ns = s->start_ns + (uint64_t)s->interval_ms * 1000000;
	s->ticks = collect__ticks_new(collect__start_ns(c));
	cdoc_heap_set_ext(cdoc_heap_collector_model(s->hc), on_ext, s);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)s->long_tick_ns);
	ret = cdoc_rec_meta(w, "alloc_tracking", s->mode);
	if (ret == 0)
		ret = cdoc_rec_meta(w, "long_tick_ns", num);
	if (ret < 0)
		return ret;
	open_control(s);
	return 0;
}

static int shim_fds(void *st, int *fds, int max)
{
	struct shim_src *s = st;
	int n = 0;

	if (n < max)
		fds[n++] = cdoc_heap_collector_fd(s->hc);
	if (s->ctl && n < max)
		fds[n++] = cdoc_heap_control_fd(s->ctl);
	return n;
}

static int shim_ready(void *st, struct cdoc_collector *c, int fd, short rev)
{
	struct shim_src *s = st;

	if (s->ctl && fd == cdoc_heap_control_fd(s->ctl)) {
		cdoc_heap_control_serve(s->ctl, control_snapshot, s);
		return 0;
	}
	return read_stream(s);
}

/* A snapshot named "t=SECONDS" every interval. */
static int shim_flush(void *st, struct cdoc_collector *c)
{
	struct shim_src *s = st;
	uint64_t now = cdoc_now_ns();
	char name[64];
	int ret = write_stream_evidence(s);

	if (ret < 0)
		return ret;
	if (!s->interval_ms || now < s->next_ns)
		return 0;
	s->next_ns = now + (uint64_t)s->interval_ms * 1000000;
	snprintf(name, sizeof(name), "t=%.3fs",
	         (double)(now - s->start_ns) / 1e9);
	return snapshot(s, name, 0);
}

static int shim_finish(void *st, struct cdoc_collector *c)
{
	struct shim_src *s = st;
	int ret;

	close_control(s);
	/* What the stream holds. The target has ended (or a duration ended
	 * the run) and what it sent is queued already; a child it left
	 * running may hold the channel open: stop when nothing comes for
	 * 100 ms, after 2 s in any case. */
	cdoc_heap_collector_drain(s->hc, 2000, 100);
	cdoc_errclear();
	if ((ret = write_stream_evidence(s)) < 0)
		return ret;
	return snapshot(s, "exit", 1);
}

static void shim_free(void *st)
{
	struct shim_src *s = st;

	close_control(s);
	cdoc_heap_collector_free(s->hc);
	collect__ticks_free(s->ticks);
	if (s->quiet_fd[0] >= 0)
		close(s->quiet_fd[0]);
	if (s->quiet_fd[1] >= 0)
		close(s->quiet_fd[1]);
	free(s);
}

/* Snapshots "load-start" and "load-end" around the --on-port load: the
 * doctor weighs the growth between them (a program that frees at exit,
 * C++ static destructors, leaves nothing "live at exit"). */
static int shim_load(void *st, struct cdoc_collector *c, int end)
{
	struct shim_src *s = st;
	int ret = read_stream(s);

	(void)c;
	return ret < 0 ? ret : snapshot(s, end ? "load-end" : "load-start", 0);
}

static const struct cdoc_source_ops shim_ops = {
        .name = "alloc",
        .env = shim_env,
        .start = shim_start,
        .fds = shim_fds,
        .ready = shim_ready,
        .flush = shim_flush,
        .finish = shim_finish,
        .free = shim_free,
        .load = shim_load,
};

/* The shim to use, or NULL after the default policy's notice/error
 * (*@err set for an error). */
static char *find_shim(struct cdoc_collector *c, int *err)
{
	const struct cdoc_collect_opts *o = &c->opts;
	char *shim = o->shim ? cdoc_strdup(o->shim) : cdoc_collect_find_shim();
	const char *where = shim ? shim : "../lib/libcdoctor-alloc.so";

	*err = 0;
	if (shim && access(shim, R_OK) == 0)
		return shim;
	if (o->alloc == CDOC_ALLOC_DEFAULT)
		cdoc_collect_add_notice(c,
		                        "warning: no allocation tracking, no "
		                        "event-loop ticks, no descriptors by "
		                        "call site (the doctor cannot see a "
		                        "blocked loop or an fd leak): the "
		                        "preload library is not at %s (set "
		                        "CDOC_SHIM)",
		                        where);
	else
		*err = cdoc_error(-ENOENT,
		                  "allocation tracking needs the preload "
		                  "library, not found at %s (build it, or set "
		                  "CDOC_SHIM)",
		                  where);
	free(shim);
	return NULL;
}

static void describe(struct shim_src *s, const struct cdoc_heap_opts *ho)
{
	if (ho->sample_rate)
		snprintf(s->mode, sizeof(s->mode),
		         "sampled, one per %llu bytes",
		         (unsigned long long)ho->sample_rate);
	else
		snprintf(s->mode, sizeof(s->mode),
		         "every allocation, %s stacks",
		         ho->use_fp ? "frame-pointer" : "libunwind");
}

int collect__shim_add(struct cdoc_collector *c)
{
	const struct cdoc_collect_opts *o = &c->opts;
	struct cdoc_heap_opts ho = {.track_mmap = o->alloc_mmap,
	                            .use_fp = o->alloc_fp,
	                            .long_tick_ns = o->long_tick_ns};
	struct shim_src *s;
	char *shim;
	int ret;

	if (o->alloc == CDOC_ALLOC_NONE || c->attach)
		return 0;
	shim = find_shim(c, &ret);
	if (!shim)
		return ret;
	ho.shim = shim;
	if (o->alloc != CDOC_ALLOC_ALL)
		ho.sample_rate = o->alloc_sample ? o->alloc_sample
		                                 : CDOC_ALLOC_DEFAULT_SAMPLE;
	s = cdoc_calloc(1, sizeof(*s));
	s->quiet_fd[0] = s->quiet_fd[1] = -1;
	s->interval_ms = (unsigned)(o->heap_interval * 1000);
	s->long_tick_ns =
	        o->long_tick_ns ? o->long_tick_ns : CDOC_ALLOC_LONG_TICK_NS;
	describe(s, &ho);
	ret = cdoc_heap_collector_start(&s->hc, &ho);
	free(shim);
	if (ret < 0) {
		free(s);
		return ret;
	}
	ret = cdoc_collect_add(c, &shim_ops, s);
	if (!ret) /* after the shim source: it finishes after the drain */
		ret = collect__fdsites_add(c, cdoc_heap_collector_model(s->hc),
		                           &s->fds);
	return ret;
}

char *cdoc_collect_find_shim(void)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	char exe[4096], *slash;
	ssize_t n;

	if (getenv("CDOC_SHIM"))
		return cdoc_strdup(getenv("CDOC_SHIM"));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	if ((slash = strrchr(exe, '/')))
		*slash = 0;
	cdoc_buf_addf(&b, "%s/../lib/libcdoctor-alloc.so", exe);
	return cdoc_buf_detach(&b, NULL);
}
