/*
 * fdsites.c - live file descriptors by the call site that opened them.
 *
 * The shim (lib/alloc/fdsite.c) sends an FD event (EXT kind CDOC_AEXT_FD)
 * for every descriptor the program opens or closes; the shim source
 * (shim.c) hands them here. The table (fdsites.h) keeps, per process
 * instance and descriptor, the opening site; this source writes, every
 * flush interval, the opens and closes of each site as TSAMPLES profiles
 * `fd_open` and `fd_close` (weight: count; time: the flush), and at the
 * end `fd_live` (SAMPLES: descriptors still open, by site). A site's
 * stack is the process's name, the caller's frames outermost first and a
 * last frame `[call:type]`.
 *
 * Rules (docs/cdoctor-run.md): a fork child starts with a copy of its
 * parent's table at the FORK point of the stream, marked inherited
 * (counted at the parent's site only); an exec'd image takes over the
 * old image's table except the close-on-exec descriptors, which count as
 * closed at that point; an open on a number the table holds closes the
 * old one first (a close the shim could not see: libc's own, dup2 onto
 * it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc/stream.h"
#include "collect/fdsites.h"
#include "collect/internal.h"
#include "heap/heap.h"
#include "record/record.h"

/* ---- the table ---- */

void collect__fdtab_init(struct fdtab *t)
{
	memset(t, 0, sizeof(*t));
	cdoc_u64map_init(&t->inst_ids);
	cdoc_u64map_init(&t->site_ids);
	cdoc_u64map_init(&t->tally_ids);
}

void collect__fdtab_release(struct fdtab *t)
{
	size_t i;

	for (i = 0; i < t->nr_insts; i++)
		free(t->insts[i].fds);
	free(t->insts);
	free(t->sites);
	free(t->tallies);
	cdoc_u64map_release(&t->inst_ids);
	cdoc_u64map_release(&t->site_ids);
	cdoc_u64map_release(&t->tally_ids);
	collect__fdtab_init(t);
}

/* Instance @instance (made for @pid when new), or NULL over the cap. */
static struct fdtab_inst *inst_get(struct fdtab *t, uint64_t instance,
                                   uint32_t pid)
{
	struct fdtab_inst *in;
	uint32_t idx;

	if (cdoc_u64map_get(&t->inst_ids, instance + 1, &idx))
		return &t->insts[idx - 1];
	if (t->nr_insts >= FDTAB_MAX_INST)
		return NULL;
	CDOC_GROW(t->insts, t->nr_insts + 1, t->alloc_insts);
	in = &t->insts[t->nr_insts++];
	memset(in, 0, sizeof(*in));
	in->instance = instance;
	in->pid = pid;
	cdoc_u64map_put(&t->inst_ids, instance + 1, (uint32_t)t->nr_insts);
	return in;
}

/* Slot of @fd in @in, grown to hold it; NULL over a cap. */
static uint32_t *slot_of(struct fdtab *t, struct fdtab_inst *in, uint32_t fd)
{
	uint32_t n;

	if (fd < in->nr)
		return &in->fds[fd];
	if (fd >= FDTAB_MAX_FD)
		return NULL;
	n = CDOC_MAX(fd + 1, CDOC_MAX(in->nr * 2, 64u));
	if (n > FDTAB_MAX_FD)
		n = FDTAB_MAX_FD;
	if (t->slots + (n - in->nr) > FDTAB_SLOTS)
		return NULL;
	in->fds = cdoc_realloc(in->fds, n * sizeof(*in->fds));
	memset(in->fds + in->nr, 0, (n - in->nr) * sizeof(*in->fds));
	t->slots += n - in->nr;
	in->nr = n;
	return &in->fds[fd];
}

static struct fdtab_tally *tally(struct fdtab *t, uint32_t site, uint32_t pid,
                                 uint32_t tid)
{
	uint64_t key = ((uint64_t)site << 32 | tid) + 1;
	struct fdtab_tally *e;
	uint32_t idx;

	if (cdoc_u64map_get(&t->tally_ids, key, &idx))
		return &t->tallies[idx - 1];
	CDOC_GROW(t->tallies, t->nr_tallies + 1, t->alloc_tallies);
	e = &t->tallies[t->nr_tallies++];
	memset(e, 0, sizeof(*e));
	e->site = site;
	e->pid = pid;
	e->tid = tid;
	cdoc_u64map_put(&t->tally_ids, key, (uint32_t)t->nr_tallies);
	return e;
}

/* The site of (instance @in, @stack, @call, @type); -1 over the cap. */
static int64_t site_get(struct fdtab *t, const struct fdtab_inst *in,
                        uint32_t stack, uint32_t call, uint32_t type)
{
	uint64_t key = ((uint64_t)(in - t->insts) << 28 | (uint64_t)stack << 6 |
	                call << 2 | type) +
	               1;
	struct fdtab_site *s;
	uint32_t idx;

	if (cdoc_u64map_get(&t->site_ids, key, &idx))
		return idx - 1;
	if (t->nr_sites >= FDTAB_MAX_SITES)
		return -1;
	CDOC_GROW(t->sites, t->nr_sites + 1, t->alloc_sites);
	s = &t->sites[t->nr_sites++];
	memset(s, 0, sizeof(*s));
	s->instance = in->instance;
	s->pid = in->pid;
	s->stack = stack;
	s->call = (uint8_t)call;
	s->type = (uint8_t)type;
	cdoc_u64map_put(&t->site_ids, key, (uint32_t)t->nr_sites);
	return (int64_t)t->nr_sites - 1;
}

/* The descriptor in @slot is closed (by @tid of @pid). */
static void closed(struct fdtab *t, uint32_t *slot, uint32_t pid, uint32_t tid)
{
	if (*slot && !(*slot & FDTAB_INHERITED))
		tally(t, (*slot & FDTAB_SITE_MASK) - 1, pid, tid)->closes++;
	*slot = 0;
}

static void ev_open(struct fdtab *t, struct fdtab_inst *in, uint32_t tid,
                    const struct cdoc_heap_fd *e)
{
	uint32_t *slot = slot_of(t, in, e->fd);
	int64_t site;

	t->opens++;
	if (slot && *slot)
		closed(t, slot, in->pid, tid);
	site = slot ? site_get(t, in, e->stack, e->call, e->type) : -1;
	if (site < 0) {
		t->untracked++;
		return;
	}
	*slot = (uint32_t)(site + 1) |
	        ((e->flags & CDOC_AFD_CLOEXEC) ? FDTAB_CLOEXEC : 0);
	tally(t, (uint32_t)site, in->pid, tid)->opens++;
}

static void ev_close(struct fdtab *t, struct fdtab_inst *in, uint32_t tid,
                     uint64_t fd)
{
	if (fd < in->nr && in->fds[fd])
		closed(t, &in->fds[fd], in->pid, tid);
	else
		t->unknown++;
}

/* close_range(), or with @cloexec only marking them close-on-exec. */
static void ev_range(struct fdtab *t, struct fdtab_inst *in, uint32_t tid,
                     uint64_t first, uint64_t last, int cloexec)
{
	uint64_t fd;

	for (fd = first; fd <= last && fd < in->nr; fd++) {
		if (!in->fds[fd])
			continue;
		if (cloexec)
			in->fds[fd] |= FDTAB_CLOEXEC;
		else
			closed(t, &in->fds[fd], in->pid, tid);
	}
}

static void ev_setfd(struct fdtab_inst *in, uint64_t fd, int cloexec)
{
	if (fd >= in->nr || !in->fds[fd])
		return;
	if (cloexec)
		in->fds[fd] |= FDTAB_CLOEXEC;
	else
		in->fds[fd] &= ~FDTAB_CLOEXEC;
}

/* Copy @src's descriptors into @dst (empty slots only), as inherited. */
static void copy_fds(struct fdtab *t, struct fdtab_inst *dst,
                     const struct fdtab_inst *src, int inherit)
{
	uint32_t fd, *slot;

	for (fd = 0; fd < src->nr; fd++) {
		if (!src->fds[fd])
			continue;
		slot = slot_of(t, dst, fd);
		if (!slot) {
			t->untracked++;
			continue;
		}
		if (!*slot)
			*slot = src->fds[fd] | (inherit ? FDTAB_INHERITED : 0);
	}
}

static void ev_fork(struct fdtab *t, size_t parent, uint64_t child)
{
	struct fdtab_inst *c = inst_get(t, child, 0);

	if (!c) {
		t->untracked += t->insts[parent].nr ? 1 : 0;
		return;
	}
	if (c == &t->insts[parent])
		return;
	c->parent = t->insts[parent].instance;
	copy_fds(t, c, &t->insts[parent], 1);
}

/* Instance @in replaced the image of its pid: the newest other instance
 * of that pid not replaced yet hands its descriptors over. */
static void ev_exec(struct fdtab *t, struct fdtab_inst *in, uint32_t tid)
{
	size_t i = t->nr_insts, self = (size_t)(in - t->insts);
	struct fdtab_inst *old = NULL;
	uint32_t fd;

	while (i-- > 0)
		if (i != self && t->insts[i].pid == in->pid &&
		    !t->insts[i].gone) {
			old = &t->insts[i];
			break;
		}
	if (!old)
		return;
	for (fd = 0; fd < old->nr; fd++)
		if (old->fds[fd] & FDTAB_CLOEXEC)
			closed(t, &old->fds[fd], in->pid, tid);
	copy_fds(t, in, old, 0);
	old->gone = 1;
	t->slots -= old->nr;
	free(old->fds);
	old->fds = NULL;
	old->nr = 0;
}

int collect__fdtab_event(struct fdtab *t, uint32_t pid, uint32_t tid,
                         uint64_t instance, const void *p, size_t len)
{
	struct cdoc_heap_fd e;
	struct fdtab_inst *in;
	int ret = cdoc_heap_fd_decode(p, len, &e);

	if (ret < 0)
		return ret;
	in = inst_get(t, instance, pid);
	if (!in) {
		t->untracked += e.op == CDOC_AFD_OPEN;
		return 0;
	}
	if (!in->pid)
		in->pid = pid; /* made by its parent's FORK */
	switch (e.op) {
	case CDOC_AFD_OPEN:
		ev_open(t, in, tid, &e);
		break;
	case CDOC_AFD_CLOSE:
		ev_close(t, in, tid, e.fd);
		break;
	case CDOC_AFD_RANGE:
		ev_range(t, in, tid, e.fd, e.last, e.flags & CDOC_AFD_CLOEXEC);
		break;
	case CDOC_AFD_SETFD:
		ev_setfd(in, e.fd, e.flags & CDOC_AFD_CLOEXEC);
		break;
	case CDOC_AFD_FORK:
		ev_fork(t, (size_t)(in - t->insts), e.child);
		break;
	case CDOC_AFD_EXEC:
		ev_exec(t, in, tid);
		break;
	}
	return 0;
}

void collect__fdtab_take(struct fdtab *t,
                         int (*keep)(void *arg, const struct fdtab_tally *),
                         void *arg)
{
	size_t i, n = 0;

	cdoc_u64map_release(&t->tally_ids);
	cdoc_u64map_init(&t->tally_ids);
	for (i = 0; i < t->nr_tallies; i++) {
		struct fdtab_tally *e = &t->tallies[i];

		if (!keep || !keep(arg, e))
			continue;
		t->tallies[n++] = *e;
		cdoc_u64map_put(&t->tally_ids,
		                ((uint64_t)e->site << 32 | e->tid) + 1,
		                (uint32_t)n);
	}
	t->nr_tallies = n;
}

void collect__fdtab_live(const struct fdtab *t,
                         void (*fn)(void *arg, uint32_t site, uint32_t pid,
                                    uint64_t n),
                         void *arg)
{
	uint64_t *count =
	        cdoc_calloc(t->nr_sites ? t->nr_sites : 1, sizeof(*count));
	size_t i, s;
	uint32_t fd;

	for (i = 0; i < t->nr_insts; i++) {
		const struct fdtab_inst *in = &t->insts[i];

		for (fd = 0; fd < in->nr; fd++)
			if (in->fds[fd] && !(in->fds[fd] & FDTAB_INHERITED))
				count[(in->fds[fd] & FDTAB_SITE_MASK) - 1]++;
		for (s = 0; s < t->nr_sites; s++)
			if (count[s]) {
				fn(arg, (uint32_t)s, in->pid, count[s]);
				count[s] = 0;
			}
	}
	free(count);
}

/* ---- the source: stacks, profiles, counters ---- */

struct fdsites {
	struct fdtab t;
	struct cdoc_collector *c;
	struct cdoc_heap *heap; /* the shim's model: stack ids to frames */
	struct cdoc_buf frames;
	struct cdoc_u64map comms; /* instance + 1 -> string id + 1 */
	int final;                /* at the end: unknown stacks are final */
};

static const char *const call_names[CDOC_AFD_CALL_NR] = {
        "open",     "creat", "socket",  "socketpair", "accept",
        "pipe",     "dup",   "eventfd", "timerfd",    "epoll_create",
        "signalfd", "memfd", "fopen",
};
static const char *const type_names[CDOC_AFD_TYPE_NR] = {"file", "socket",
                                                         "pipe", "other"};

/* The process name of @instance as a recording string, read when its
 * first event comes (the process may be gone by the time its stacks are
 * written); a fork child gone already has its parent's name. */
static uint32_t comm_of(struct fdsites *f, uint64_t instance, uint32_t pid)
{
	struct cdoc_rec_writer *w = cdoc_collect_writer(f->c);
	uint32_t id, idx;
	char *s;

	if (cdoc_u64map_get(&f->comms, instance + 1, &id))
		return id - 1;
	s = collect__read_comm((pid_t)pid, (pid_t)pid);
	if (s)
		id = cdoc_rec_str(w, s);
	else if (cdoc_u64map_get(&f->t.inst_ids, instance + 1, &idx) &&
	         f->t.insts[idx - 1].parent &&
	         cdoc_u64map_get(&f->comms, f->t.insts[idx - 1].parent + 1,
	                         &id))
		id--;
	else
		id = cdoc_rec_str(w, "[unknown]");
	free(s);
	cdoc_u64map_put(&f->comms, instance + 1, id + 1);
	return id;
}

int collect__fdsites_ext(struct fdsites *f, uint32_t pid, uint32_t tid,
                         uint64_t instance, const void *payload, size_t len)
{
	if (!cdoc_collect_writer(f->c))
		return 0;
	if (collect__fdtab_event(&f->t, pid, tid, instance, payload, len) < 0)
		return -CDOC_EFORMAT;
	comm_of(f, instance, pid);
	return 0;
}

/* The recording stack of site @s: 0 while its stack is not known yet
 * (its STACK record is in another thread's unsent batch). */
static uint32_t site_stack(struct fdsites *f, struct fdtab_site *s)
{
	struct cdoc_rec_writer *w = cdoc_collect_writer(f->c);
	char last[64];
	const char *names[CDOC_ASTREAM_MAX_FRAMES], *p;
	int n, i;
	uint32_t st;

	if (s->rec)
		return s->rec;
	cdoc_buf_reset(&f->frames);
	n = cdoc_heap_stack_frames(f->heap, s->instance, s->stack, &f->frames);
	if (n <= 0 && !f->final)
		return 0;
	st = cdoc_rec_stack(w, CDOC_REC_ROOT, comm_of(f, s->instance, s->pid));
	if (n <= 0)
		st = cdoc_rec_stack(w, st, cdoc_rec_str(w, "[unknown stack]"));
	for (i = 0, p = f->frames.buf; i < n && i < CDOC_ASTREAM_MAX_FRAMES;
	     i++, p += strlen(p) + 1)
		names[i] = p;
	while (n > 0 && i-- > 0)
		st = cdoc_rec_stack(w, st, cdoc_rec_str(w, names[i]));
	snprintf(last, sizeof(last), "[%s:%s]", call_names[s->call],
	         type_names[s->type]);
	s->rec = cdoc_rec_stack(w, st, cdoc_rec_str(w, last));
	return s->rec;
}

/* take() callback: a tally whose site has no stack yet waits. */
static int unresolved(void *arg, const struct fdtab_tally *e)
{
	struct fdsites *f = arg;

	return !f->t.sites[e->site].rec;
}

/* The tallies as fd_open and fd_close samples at @now (one profile after
 * the other: a TSAMPLES chunk holds one profile). */
static int write_tallies(struct fdsites *f, uint64_t now)
{
	struct cdoc_rec_writer *w = cdoc_collect_writer(f->c);
	uint32_t prof[2] = {cdoc_rec_str(w, "fd_open"),
	                    cdoc_rec_str(w, "fd_close")};
	size_t i, k;
	int ret = 0;

	for (i = 0; i < f->t.nr_tallies; i++)
		site_stack(f, &f->t.sites[f->t.tallies[i].site]);
	for (k = 0; k < 2 && !ret; k++)
		for (i = 0; i < f->t.nr_tallies && !ret; i++) {
			const struct fdtab_tally *e = &f->t.tallies[i];
			uint64_t n = k ? e->closes : e->opens;
			uint32_t st = f->t.sites[e->site].rec;

			if (n && st)
				ret = cdoc_rec_sample_at(w, prof[k], e->pid,
				                         e->tid, now, st, n);
		}
	collect__fdtab_take(&f->t, unresolved, f);
	return ret;
}

static int fds_flush(void *st, struct cdoc_collector *c)
{
	struct fdsites *f = st;

	if (!f->t.nr_tallies || !cdoc_collect_writer(c))
		return 0;
	return write_tallies(f, cdoc_collect_elapsed_ns(c));
}

struct live_ctx {
	struct fdsites *f;
	uint32_t prof;
	int ret;
};

static void write_live(void *arg, uint32_t site, uint32_t pid, uint64_t n)
{
	struct live_ctx *x = arg;
	struct cdoc_rec_writer *w = cdoc_collect_writer(x->f->c);
	uint32_t st = site_stack(x->f, &x->f->t.sites[site]);

	if (!x->ret)
		x->ret = cdoc_rec_sample(w, x->prof, pid, st, n);
}

/* After the shim source has read the stream to its end: the last
 * interval, what is still open, and the counters. */
static int fds_finish(void *st, struct cdoc_collector *c)
{
	struct fdsites *f = st;
	struct cdoc_rec_writer *w = cdoc_collect_writer(c);
	struct live_ctx x = {f, 0, 0};
	int ret;

	if (!w)
		return 0;
	f->final = 1;
	if ((ret = write_tallies(f, cdoc_collect_elapsed_ns(c))) < 0)
		return ret;
	x.prof = cdoc_rec_str(w, "fd_live");
	collect__fdtab_live(&f->t, write_live, &x);
	if (x.ret < 0)
		return x.ret;
	ret = cdoc_rec_counter(w, "fd_events", f->t.opens);
	if (!ret)
		ret = cdoc_rec_counter(w, "fd_untracked", f->t.untracked);
	if (!ret)
		ret = cdoc_rec_counter(w, "fd_close_unknown", f->t.unknown);
	return ret;
}

static void fds_free(void *st)
{
	struct fdsites *f = st;

	collect__fdtab_release(&f->t);
	cdoc_buf_release(&f->frames);
	cdoc_u64map_release(&f->comms);
	free(f);
}

static const struct cdoc_source_ops fds_ops = {
        .name = "fds",
        .flush = fds_flush,
        .finish = fds_finish,
        .free = fds_free,
};

int collect__fdsites_add(struct cdoc_collector *c, struct cdoc_heap *heap,
                         struct fdsites **out)
{
	struct fdsites *f = cdoc_calloc(1, sizeof(*f));
	int ret;

	collect__fdtab_init(&f->t);
	cdoc_u64map_init(&f->comms);
	f->c = c;
	f->heap = heap;
	ret = cdoc_collect_add(c, &fds_ops, f);
	if (ret < 0) {
		fds_free(f);
		return ret;
	}
	*out = f;
	return 0;
}
