/*
 * process.c - from ring records to the recording.
 *
 * Each round copies every record out of every CPU's ring, sorts them by
 * time (so MMAP2/COMM/FORK from one CPU apply before samples on another),
 * and handles them in order: side-band records update the symbolizer's
 * view of each address space; samples are unwound, and their ip lists are
 * looked up in the stack table so that only a new stack is symbolized
 * (each address once, through the address cache) and interned.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "collect/cpu.h"
#include "collect/internal.h"
#include "collect/offcpu.h"
#include "unwind/unwind.h"

/* The address-space id of @pid (new ids at fork and exec). */
static uint32_t space_of(struct cpu_src *c, uint32_t pid)
{
	uint32_t v;

	if (cdoc_u64map_get(&c->spaces, pid + 1ull, &v))
		return v;
	v = ++c->next_space;
	cdoc_u64map_put(&c->spaces, pid + 1ull, v);
	return v;
}

static void new_space(struct cpu_src *c, uint32_t pid)
{
	cdoc_u64map_put(&c->spaces, pid + 1ull, ++c->next_space);
}

/* The comm string id of thread @tid (falling back to process @pid). */
static uint32_t comm_of(struct cpu_src *c, uint32_t pid, uint32_t tid)
{
	uint32_t v;
	char *s;

	if (cdoc_u64map_get(&c->comms, tid + 1ull, &v))
		return v;
	s = collect__read_comm(pid, tid); /* a thread seen first in a sample */
	if (s)
		v = cdoc_rec_str(c->w, s);
	else if (!cdoc_u64map_get(&c->comms, pid + 1ull, &v))
		v = cdoc_rec_str(c->w, "[unknown]");
	free(s);
	cdoc_u64map_put(&c->comms, tid + 1ull, v);
	return v;
}

static void set_comm(struct cpu_src *c, uint32_t tid, const char *comm)
{
	cdoc_u64map_put(&c->comms, tid + 1ull, cdoc_rec_str(c->w, comm));
}

void collect__cpu_process_start(struct cpu_src *c, uint32_t pid, uint32_t ppid,
                                const char *comm)
{
	cdoc_u64map_put(&c->ppids, pid + 1ull, ppid);
	set_comm(c, pid, comm);
	cdoc_rec_process(c->w, pid, ppid, comm);
}

static void on_comm(struct cpu_src *c, const struct cdoc_perf_side *s)
{
	uint32_t ppid = 0;

	set_comm(c, s->tid, s->str);
	if (!s->exec)
		return;
	cdoc_syms_exec(c->syms, s->pid);
	new_space(c, s->pid);
	cdoc_u64map_get(&c->ppids, s->pid + 1ull, &ppid);
	cdoc_rec_process(c->w, s->pid, ppid, s->str);
}

static void on_fork(struct cpu_src *c, const struct cdoc_perf_side *s)
{
	uint32_t comm = comm_of(c, s->ppid, s->ptid);

	cdoc_u64map_put(&c->comms, s->tid + 1ull, comm);
	if (s->pid == s->ppid)
		return; /* a new thread */
	cdoc_syms_fork(c->syms, s->ppid, s->pid);
	new_space(c, s->pid);
	cdoc_u64map_put(&c->ppids, s->pid + 1ull, s->ppid);
	cdoc_rec_process(c->w, s->pid, s->ppid,
	                 cdoc_strtab_get(&c->w->strs, comm));
}

/*
 * A process ended: forget its mappings next round, and record its end.
 * The target's wait status is written by the session; the statuses of
 * processes below it go to their own parents, so theirs is unknown.
 */
static void process_ended(struct cpu_src *c, uint32_t pid)
{
	CDOC_GROW(c->pending_exit, c->nr_exit + 1, c->alloc_exit);
	c->pending_exit[c->nr_exit++] = pid;
	if (pid != (uint32_t)c->pid &&
	    !cdoc_u64map_get(&c->ended, pid + 1ull, &(uint32_t){0})) {
		cdoc_u64map_put(&c->ended, pid + 1ull, 1);
		cdoc_rec_exit(c->w, pid, CDOC_REC_EXIT_UNKNOWN);
	}
}

/*
 * At the end: a process seen below the target whose EXIT record never
 * came (the ring was full: lost_samples counts it) but which is gone
 * now has ended too. One still running (a daemon child) is left as it
 * is.
 */
void collect__cpu_sweep_ended(struct cpu_src *c)
{
	const struct cdoc_u64map *m = &c->ppids;

	for (size_t i = 0; m->keys && i <= m->mask; i++) {
		uint64_t pid = m->keys[i] - 1;

		if (!m->keys[i] || pid == (uint64_t)c->pid ||
		    cdoc_u64map_get(&c->ended, pid + 1, &(uint32_t){0}))
			continue;
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			process_ended(c, (uint32_t)pid);
	}
}

static void on_side(struct cpu_src *c, const struct perf_event_header *h)
{
	struct cdoc_perf_side s;
	int ret = cdoc_perf_parse_side(h, &s);

	if (ret < 0) {
		c->st.bad_records++;
		return;
	}
	switch (h->type) {
	case PERF_RECORD_MMAP2:
		cdoc_syms_mmap(c->syms, s.pid, s.addr, s.len, s.pgoff, s.prot,
		               s.str);
		break;
	case PERF_RECORD_COMM:
		on_comm(c, &s);
		break;
	case PERF_RECORD_FORK:
		on_fork(c, &s);
		break;
	case PERF_RECORD_EXIT:
		if (s.pid == s.tid)
			process_ended(c, s.pid);
		break;
	case PERF_RECORD_LOST:
	case PERF_RECORD_LOST_SAMPLES:
		c->st.lost += s.lost;
		break;
	case PERF_RECORD_THROTTLE:
		c->st.throttled++;
		break;
	}
}

static void kernel_ips(struct chain *ch, const struct cdoc_perf_sample *s,
                       int want_user)
{
	uint64_t ctx = 0;

	for (uint64_t i = 0; i < s->nr_chain; i++) {
		uint64_t ip = s->chain[i];

		if (ip >= (uint64_t)PERF_CONTEXT_MAX) {
			ctx = ip;
			continue;
		}
		if (ctx == PERF_CONTEXT_KERNEL && ch->nr_kern < MAX_FRAMES)
			ch->kern[ch->nr_kern++] = ip;
		else if (ctx == PERF_CONTEXT_USER && want_user &&
		         ch->nr_user < MAX_FRAMES)
			ch->user[ch->nr_user++] = ip;
	}
}

static void dwarf_ips(struct cpu_src *c, struct chain *ch,
                      const struct cdoc_perf_sample *s,
                      struct cdoc_collect_stats *st)
{
	uint64_t mask = c->attr.sample_regs_user;
	int trunc = 0, n;

	if (!s->regs_abi || !s->regs)
		return; /* a kernel thread: no user part */
	if (!s->stack_size) {
		ch->user[0] = cdoc_unwind_reg(s->regs, mask, CDOC_REG_IP);
		ch->nr_user = 1;
		st->truncated++;
		return;
	}
	n = cdoc_unwind_user(c->syms, s->pid, s->regs, mask, s->stack,
	                     s->stack_size, ch->user, MAX_FRAMES, &trunc);
	if (n < 0) {
		st->unwind_failures++;
		ch->user[0] = cdoc_unwind_reg(s->regs, mask, CDOC_REG_IP);
		n = 1;
	}
	if (trunc || n == MAX_FRAMES)
		st->truncated++;
	ch->nr_user = n;
}

/* Where a new frame name comes from (FRAMEINFO): module, build-id and
 * the source line of the first address seen, for files mapped in. A
 * write error shows up again at the next flush. */
static void frame_info(struct cpu_src *c, uint32_t id,
                       const struct cdoc_symbol *sym)
{
	struct cdoc_rec_frameinfo fi = {0};

	if (sym->kind != CDOC_SYM_USER || sym->module[0] != '/')
		return;
	fi.module = sym->module;
	fi.build_id = sym->build_id;
	fi.build_id_len = sym->build_id_len;
	fi.map_start = sym->map_start;
	fi.map_end = sym->map_end;
	fi.address = sym->offset;
	fi.file = sym->file;
	fi.line = sym->line;
	cdoc_rec_frameinfo(c->w, id, &fi);
}

uint32_t collect__cpu_frame(struct cpu_src *c, uint32_t pid, uint32_t space,
                            uint64_t addr, int kernel, int *unresolved)
{
	uint64_t key[2] = {kernel ? 0 : space, addr};
	uint64_t h = cdoc_hash(key, sizeof(key));
	struct blobent *e =
	        collect__blobtab_get(&c->addrs, key, sizeof(key), h);
	struct cdoc_symbol sym;
	size_t before;

	if (!e) {
		e = collect__blobtab_add(&c->addrs, key, sizeof(key), h);
		e->val[1] =
		        !cdoc_syms_resolve(c->syms, pid, addr, kernel, &sym);
		cdoc_buf_reset(&c->fbuf);
		cdoc_symbol_format(&sym, &c->fbuf);
		before = c->w->strs.nr;
		e->val[0] = cdoc_rec_string(c->w, c->fbuf.buf, c->fbuf.len);
		if (c->w->strs.nr != before) /* a new frame name */
			frame_info(c, (uint32_t)e->val[0], &sym);
		c->st.frames++;
	}
	*unresolved += e->val[1];
	return e->val[0];
}

/* Intern the stack of @ch (root-first) in the recording. */
static uint32_t build_stack(struct cpu_src *c, const struct chain *ch,
                            uint32_t pid, int *unresolved)
{
	uint32_t space = (uint32_t)ch->key[0];
	uint32_t st = cdoc_rec_stack(c->w, CDOC_REC_ROOT, (uint32_t)ch->key[1]);

	for (int i = ch->nr_user - 1; i >= 0; i--) {
		uint64_t a = ch->user[i] - (i > 0);

		st = cdoc_rec_stack(
		        c->w, st,
		        collect__cpu_frame(c, pid, space, a, 0, unresolved));
	}
	for (int i = ch->nr_kern - 1; i >= 0; i--) {
		uint64_t a = ch->kern[i] - (i > 0);

		st = cdoc_rec_stack(
		        c->w, st,
		        collect__cpu_frame(c, pid, space, a, 1, unresolved));
	}
	c->st.stacks++;
	return st;
}

void collect__cpu_chain(struct cpu_src *c, const struct cdoc_perf_sample *s,
                        struct chain *ch, struct cdoc_collect_stats *st)
{
	ch->user = ch->key + 4;
	ch->kern = ch->key + 4 + MAX_FRAMES;
	ch->nr_user = ch->nr_kern = 0;
	kernel_ips(ch, s, c->call_graph == CDOC_CG_FP);
	if (c->call_graph == CDOC_CG_DWARF)
		dwarf_ips(c, ch, s, st);
	if (!ch->nr_user && !ch->nr_kern)
		ch->user[ch->nr_user++] = s->ip;
	memmove(ch->user + ch->nr_user, ch->kern, ch->nr_kern * 8);
	ch->kern = ch->user + ch->nr_user;
	ch->key[0] = space_of(c, s->pid);
	ch->key[1] = comm_of(c, s->pid, s->tid);
	ch->key[2] = ch->nr_user;
	ch->key[3] = ch->nr_kern;
}

uint32_t collect__cpu_intern(struct cpu_src *c, const struct chain *ch,
                             uint32_t pid, struct cdoc_collect_stats *st)
{
	size_t len = (4 + ch->nr_user + ch->nr_kern) * 8;
	uint64_t hash = cdoc_hash(ch->key, len);
	struct blobent *e =
	        collect__blobtab_get(&c->stacks, ch->key, len, hash);
	int unresolved = 0;

	if (!e) {
		uint32_t id = build_stack(c, ch, pid, &unresolved);

		e = collect__blobtab_add(&c->stacks, ch->key, len, hash);
		e->val[0] = id;
		e->val[1] = unresolved;
	}
	st->unresolved += e->val[1];
	return e->val[0];
}

static void on_sample(struct cpu_src *c, const struct perf_event_header *h)
{
	struct cdoc_perf_sample s;
	struct chain ch;
	uint32_t stack;

	if (cdoc_perf_parse_sample(h, c->attr.sample_type,
	                           c->attr.sample_regs_user, &s) < 0) {
		c->st.bad_records++;
		return;
	}
	collect__cpu_chain(c, &s, &ch, &c->st);
	stack = collect__cpu_intern(c, &ch, s.pid, &c->st);
	c->st.samples++;
	/* Times are CLOCK_MONOTONIC (cpu_events.c), as is t_start. */
	cdoc_rec_sample_at(c->w, c->prof_cpu, s.pid, s.tid,
	                   s.time > c->t_start ? s.time - c->t_start : 0, stack,
	                   1);
}

static void handle(struct cpu_src *c, const struct qrec *q)
{
	const struct perf_event_header *h =
	        (const void *)(c->round.buf + q->off);

	if (q->offcpu)
		collect__offcpu_record(c->off, c, h);
	else if (h->type == PERF_RECORD_SAMPLE)
		on_sample(c, h);
	else
		on_side(c, h);
}

/* Copy the records of one ring into the round. */
static void gather(struct cpu_src *c, struct cdoc_perf_ring *r, int offcpu)
{
	const struct perf_event_header *h;

	while ((h = cdoc_perf_ring_next(r))) {
		struct qrec *q;

		CDOC_GROW(c->q, c->nr_q + 1, c->alloc_q);
		q = &c->q[c->nr_q++];
		q->seq = c->seq++;
		q->off = c->round.len;
		q->offcpu = offcpu;
		q->time =
		        h->type == PERF_RECORD_SAMPLE
		                ? 0
		                : cdoc_perf_record_time(h, c->attr.sample_type);
		if (h->type == PERF_RECORD_SAMPLE) {
			struct cdoc_perf_sample s;

			if (!cdoc_perf_parse_sample(h, c->attr.sample_type,
			                            c->attr.sample_regs_user,
			                            &s))
				q->time = s.time;
		}
		cdoc_buf_add(&c->round, h, h->size);
	}
	c->st.bad_records += r->bad_records;
	r->bad_records = 0;
	cdoc_perf_ring_done(r);
}

static int qrec_cmp(const void *a, const void *b)
{
	const struct qrec *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void forget_exited(struct cpu_src *c)
{
	for (size_t i = 0; i < c->nr_exit; i++)
		cdoc_syms_exit(c->syms, c->pending_exit[i]);
	c->nr_exit = 0;
}

int collect__cpu_drain(struct cpu_src *c)
{
	size_t n;

	forget_exited(c);
	c->nr_q = 0;
	cdoc_buf_reset(&c->round);
	for (size_t i = 0; i < c->nr_rings; i++)
		gather(c, &c->rings[i], 0);
	for (size_t i = 0; c->off && i < collect__offcpu_nr_rings(c->off); i++)
		gather(c, collect__offcpu_ring(c->off, i), 1);
	n = c->nr_q;
	cdoc_sort(c->q, n, sizeof(*c->q), qrec_cmp);
	for (size_t i = 0; i < n; i++)
		handle(c, &c->q[i]);
	if (c->off)
		collect__offcpu_round_end(c->off, c);
	return (int)CDOC_MIN(n, (size_t)INT32_MAX);
}
