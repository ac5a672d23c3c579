/*
 * decode.c - PERF_RECORD_SAMPLE and side-band records to structs, with
 * every field bounds-checked against the record's size.
 */
#include <errno.h>
#include <string.h>

#include "perf/perf.h"

/* A cursor over one record's body. */
struct cur {
	const char *p, *end;
	int bad;
};

static uint64_t get_u64(struct cur *c)
{
	uint64_t v;

	if (c->bad || c->end - c->p < 8) {
		c->bad = 1;
		return 0;
	}
	memcpy(&v, c->p, 8);
	c->p += 8;
	return v;
}

/* Skip @n u64 words and return where they start (NULL when short). */
static const void *take(struct cur *c, uint64_t n_words)
{
	const char *p = c->p;

	if (c->bad || n_words > (uint64_t)(c->end - c->p) / 8) {
		c->bad = 1;
		return NULL;
	}
	c->p += n_words * 8;
	return p;
}

static void cur_init(struct cur *c, const struct perf_event_header *h)
{
	c->p = (const char *)(h + 1);
	c->end = (const char *)h + h->size;
	c->bad = 0;
}

static void parse_stack(struct cur *c, struct cdoc_perf_sample *s)
{
	uint64_t size = get_u64(c);

	if (!size)
		return;
	if (size % 8) {
		c->bad = 1;
		return;
	}
	s->stack = take(c, size / 8);
	s->stack_size = get_u64(c);
	if (s->stack_size > size)
		c->bad = 1;
}

int cdoc_perf_parse_sample(const struct perf_event_header *h,
                           uint64_t sample_type, uint64_t regs_mask,
                           struct cdoc_perf_sample *s)
{
	struct cur c;
	uint64_t v;

	memset(s, 0, sizeof(*s));
	cur_init(&c, h);
	if (sample_type & PERF_SAMPLE_IDENTIFIER)
		get_u64(&c);
	if (sample_type & PERF_SAMPLE_IP)
		s->ip = get_u64(&c);
	if (sample_type & PERF_SAMPLE_TID) {
		v = get_u64(&c);
		s->pid = (uint32_t)v;
		s->tid = (uint32_t)(v >> 32);
	}
	if (sample_type & PERF_SAMPLE_TIME)
		s->time = get_u64(&c);
	if (sample_type & PERF_SAMPLE_CPU)
		s->cpu = (uint32_t)get_u64(&c);
	if (sample_type & PERF_SAMPLE_PERIOD)
		s->period = get_u64(&c);
	if (sample_type & PERF_SAMPLE_CALLCHAIN) {
		s->nr_chain = get_u64(&c);
		s->chain = take(&c, s->nr_chain);
	}
	if (sample_type & PERF_SAMPLE_REGS_USER) {
		s->regs_abi = get_u64(&c);
		if (s->regs_abi)
			s->regs = take(&c, __builtin_popcountll(regs_mask));
	}
	if (sample_type & PERF_SAMPLE_STACK_USER)
		parse_stack(&c, s);
	return c.bad ? -CDOC_EFORMAT : 0;
}

/* Size of the sample_id trailer for @sample_type. */
static size_t trailer_size(uint64_t t)
{
	return 8 * (!!(t & PERF_SAMPLE_TID) + !!(t & PERF_SAMPLE_TIME) +
	            !!(t & PERF_SAMPLE_ID) + !!(t & PERF_SAMPLE_STREAM_ID) +
	            !!(t & PERF_SAMPLE_CPU) + !!(t & PERF_SAMPLE_IDENTIFIER));
}

uint64_t cdoc_perf_record_time(const struct perf_event_header *h, uint64_t t)
{
	size_t tsz = trailer_size(t);
	const char *p;
	uint64_t v;

	if (!(t & PERF_SAMPLE_TIME) || h->size < sizeof(*h) + tsz)
		return 0;
	p = (const char *)h + h->size - tsz;
	if (t & PERF_SAMPLE_TID)
		p += 8;
	memcpy(&v, p, 8);
	return v;
}

int cdoc_perf_record_tid(const struct perf_event_header *h, uint64_t t,
                         uint32_t *pid, uint32_t *tid)
{
	size_t tsz = trailer_size(t);
	uint32_t v[2];

	if (!(t & PERF_SAMPLE_TID) || h->size < sizeof(*h) + tsz)
		return -CDOC_EFORMAT;
	memcpy(v, (const char *)h + h->size - tsz, 8);
	*pid = v[0];
	*tid = v[1];
	return 0;
}

/* A NUL-terminated string inside the record, at the cursor. */
static const char *get_str(struct cur *c)
{
	const char *s = c->p;

	if (c->bad || !memchr(s, 0, c->end - s)) {
		c->bad = 1;
		return NULL;
	}
	return s;
}

static void parse_mmap2(struct cur *c, struct cdoc_perf_side *o)
{
	uint64_t v = get_u64(c);

	o->pid = (uint32_t)v;
	o->tid = (uint32_t)(v >> 32);
	o->addr = get_u64(c);
	o->len = get_u64(c);
	o->pgoff = get_u64(c);
	take(c, 3); /* maj, min / build-id size; ino; ino_generation */
	v = get_u64(c);
	o->prot = (uint32_t)v;
	o->str = get_str(c);
}

static void parse_comm(struct cur *c, struct cdoc_perf_side *o)
{
	uint64_t v = get_u64(c);

	o->pid = (uint32_t)v;
	o->tid = (uint32_t)(v >> 32);
	o->str = get_str(c);
}

static void parse_task(struct cur *c, struct cdoc_perf_side *o)
{
	uint64_t v = get_u64(c);

	o->pid = (uint32_t)v;
	o->ppid = (uint32_t)(v >> 32);
	v = get_u64(c);
	o->tid = (uint32_t)v;
	o->ptid = (uint32_t)(v >> 32);
}

int cdoc_perf_parse_side(const struct perf_event_header *h,
                         struct cdoc_perf_side *o)
{
	struct cur c;

	memset(o, 0, sizeof(*o));
	o->type = h->type;
	cur_init(&c, h);
	switch (h->type) {
	case PERF_RECORD_MMAP2:
		parse_mmap2(&c, o);
		break;
	case PERF_RECORD_COMM:
		parse_comm(&c, o);
		o->exec = !!(h->misc & PERF_RECORD_MISC_COMM_EXEC);
		break;
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT:
		parse_task(&c, o);
		break;
	case PERF_RECORD_LOST:
		get_u64(&c);
		o->lost = get_u64(&c);
		break;
	case PERF_RECORD_LOST_SAMPLES:
		o->lost = get_u64(&c);
		break;
	default:
		return 1;
	}
	return c.bad ? -CDOC_EFORMAT : 0;
}
