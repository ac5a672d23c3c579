/*
 * pusher.c - push a recording while it is being written (cdoctor run
 * --push-interval): a thread of its own wakes every interval, reads the
 * recording file as far as it is written, keeps only the timed samples
 * it has not sent yet (by their position in the file, so no sample is
 * sent twice or lost however the per-CPU buffers interleave), and posts
 * them as one profile whose time range is that interval. The collector
 * never waits on it: the thread shares nothing with the run but the
 * file, which the writer flushes in whole chunks every 200 ms.
 */
#include "export/internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

struct cdoc_pusher {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;                 /* set by _finish, under lock */
	char *path;               /* the recording being written */
	char *url, *app, *labels; /* copies of the options */
	long timeout_s;
	uint64_t interval_ns;
	size_t done;       /* timed samples already sent */
	uint64_t until_ns; /* end of the last interval sent */
	int pushes;        /* requests that succeeded */
	int failures;      /* requests that failed */
	char *first_error; /* message of the first failure */
};

/* Set META @key to @value (every copy of it, or a new entry). */
static void set_meta(struct cdoc_recording *r, const char *key,
                     const char *value)
{
	size_t i;
	int found = 0;

	for (i = 0; i < r->nr_meta; i++)
		if (!strcmp(r->meta[i].key, key)) {
			free(r->meta[i].value);
			r->meta[i].value = cdoc_strdup(value);
			found = 1;
		}
	if (found)
		return;
	CDOC_GROW(r->meta, r->nr_meta + 1, r->alloc_meta);
	r->meta[r->nr_meta].key = cdoc_strdup(key);
	r->meta[r->nr_meta++].value = cdoc_strdup(value);
}

static void zero_profile(struct cdoc_profile *p)
{
	size_t i;

	for (i = 0; i < p->nr_nodes; i++) {
		memset(p->nodes[i].self, 0, sizeof(p->nodes[i].self));
		memset(p->nodes[i].total, 0, sizeof(p->nodes[i].total));
	}
}

uint64_t cdoc_export_window(struct cdoc_recording *r, size_t first,
                            uint64_t from_ns, uint64_t until_ns,
                            int keep_untimed)
{
	char *timed = cdoc_calloc(r->nr_profiles + 1, 1);
	uint64_t start = export__start_epoch_s(r), total = 0;
	char when[32];
	struct tm tm;
	time_t t;
	size_t i;

	for (i = 0; i < r->nr_tsamples; i++)
		timed[r->tsamples[i].profile] = 1;
	for (i = 0; i < r->nr_profiles; i++)
		if (timed[i] || !keep_untimed)
			zero_profile(&r->profiles[i].prof);
	for (i = first; i < r->nr_tsamples; i++) {
		const struct cdoc_rec_tsample *s = &r->tsamples[i];

		cdoc_profile_add(&r->profiles[s->profile].prof, s->node, 0,
		                 s->weight);
		total += s->weight;
	}
	free(timed);
	t = (time_t)(start + from_ns / 1000000000);
	if (start && gmtime_r(&t, &tm) &&
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
		set_meta(r, "start_time", when);
	snprintf(when, sizeof(when), "%llu",
	         (unsigned long long)(until_ns > from_ns ? until_ns - from_ns
	                                                 : 0));
	set_meta(r, "duration_ns", when);
	return total;
}

static void note_failure(struct cdoc_pusher *p)
{
	p->failures++;
	if (!p->first_error)
		p->first_error = cdoc_strdup(cdoc_errmsg());
}

/* Push the timed samples of @r from p->done on, up to @until_ns (0: the
 * last sample's time), with the untimed profiles when @final. */
static void push_rest(struct cdoc_pusher *p, struct cdoc_recording *r,
                      uint64_t until_ns, int final)
{
	struct cdoc_push_opts o = {.url = p->url,
	                           .app = p->app,
	                           .labels = p->labels,
	                           .timeout_s = p->timeout_s};
	uint64_t weight, last = 0;
	size_t i;
	int ret;

	for (i = p->done; i < r->nr_tsamples; i++)
		last = CDOC_MAX(last, r->tsamples[i].time_ns + 1);
	if (!until_ns)
		until_ns = last;
	if (until_ns <= p->until_ns)
		until_ns = p->until_ns + 1;
	weight = cdoc_export_window(r, p->done, p->until_ns, until_ns, final);
	p->done = r->nr_tsamples;
	if (!weight && !final)
		return; /* nothing new: no empty interval is sent */
	p->until_ns = until_ns;
	cdoc_errclear();
	ret = cdoc_export_push(r, &o);
	if (ret > 0)
		p->pushes += ret;
	else if (ret < 0 && (weight || ret != -CDOC_EFORMAT))
		note_failure(p);
}

static void push_interval(struct cdoc_pusher *p)
{
	struct cdoc_recording r;

	if (cdoc_recording_load(&r, p->path) < 0) {
		note_failure(p);
		return;
	}
	push_rest(p, &r, 0, 0);
	cdoc_recording_release(&r);
}

static void *pusher_main(void *arg)
{
	struct cdoc_pusher *p = arg;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		next.tv_sec += (time_t)(p->interval_ns / 1000000000);
		next.tv_nsec += (long)(p->interval_ns % 1000000000);
		if (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		while (!p->stop && pthread_cond_timedwait(&p->wake, &p->lock,
		                                          &next) != ETIMEDOUT)
			;
		if (p->stop)
			break;
		pthread_mutex_unlock(&p->lock);
		push_interval(p);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Start the thread with every signal blocked: the collector's signal
 * handling stays with the threads that had it. */
static int start_thread(struct cdoc_pusher *p)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&p->thread, NULL, pusher_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err ? cdoc_error(-err, "push: cannot start a thread: %s",
	                        strerror(err))
	           : 0;
}

int cdoc_export_pusher_start(struct cdoc_pusher **out, const char *path,
                             const struct cdoc_push_opts *o, double interval_s)
{
	struct cdoc_pusher *p = cdoc_calloc(1, sizeof(*p));
	const struct export__curl *cu = export__curl();
	pthread_condattr_t ca;
	int ret;

	if (!cu || cu->global_init(CURL_GLOBAL_DEFAULT)) {
		free(p);
		return cdoc_error(-EIO, "push: cannot %s libcurl",
		                  cu ? "start" : "load");
	}
	p->path = cdoc_strdup(path);
	p->url = cdoc_strdup(o->url);
	p->app = o->app ? cdoc_strdup(o->app) : NULL;
	p->labels = o->labels ? cdoc_strdup(o->labels) : NULL;
	p->timeout_s = o->timeout_s;
	p->interval_ns = (uint64_t)(interval_s * 1e9);
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->wake, &ca);
	pthread_condattr_destroy(&ca);
	ret = start_thread(p);
	if (ret < 0) {
		p->stop = 2; /* no thread to join */
		cdoc_export_pusher_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

void cdoc_export_pusher_stop(struct cdoc_pusher *p)
{
	if (!p || p->stop == 2)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	p->stop = 2;
}

int cdoc_export_pusher_finish(struct cdoc_pusher *p, struct cdoc_recording *r,
                              int *pushes)
{
	cdoc_export_pusher_stop(p);
	push_rest(p, r, export__duration_ns(r), 1);
	*pushes = p->pushes;
	if (p->failures)
		return cdoc_error(-EIO, "%d of %d push%s failed; the first: %s",
		                  p->failures, p->failures + p->pushes,
		                  p->failures + p->pushes == 1 ? "" : "es",
		                  p->first_error);
	return 0;
}

void cdoc_export_pusher_free(struct cdoc_pusher *p)
{
	if (!p)
		return;
	cdoc_export_pusher_stop(p);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	export__curl()->global_cleanup(); /* loaded by the start */
	free(p->path);
	free(p->url);
	free(p->app);
	free(p->labels);
	free(p->first_error);
	free(p);
}
