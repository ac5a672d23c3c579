/*
 * hash.c - byte hashing, the u64 -> u32 map, and the string intern table.
 */
#include "base.h"

#include <stdlib.h>
#include <string.h>

static inline uint64_t rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

uint64_t cdoc_hash(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0xff51afd7ed558ccdULL);
	uint64_t tail = 0;

	for (; len >= 8; p += 8, len -= 8)
		h = (h ^ cdoc_hash_u64(rd64(p))) * 0x100000001b3ULL;
	memcpy(&tail, p, len);
	h ^= cdoc_hash_u64(tail ^ len);
	return cdoc_hash_u64(h);
}

void cdoc_index_init(struct cdoc_index *x)
{
	memset(x, 0, sizeof(*x));
}

void cdoc_index_release(struct cdoc_index *x)
{
	free(x->slots);
	cdoc_index_init(x);
}

void cdoc_index_grow(struct cdoc_index *x, size_t nr, size_t min_slots,
                     cdoc_index_hash_fn hash_of, const void *ctx)
{
	size_t slots = x->slots ? (x->mask + 1) * 2 : min_slots, id, j;
	uint64_t h;

	free(x->slots);
	x->slots = cdoc_calloc(slots, sizeof(*x->slots));
	x->mask = slots - 1;
	for (id = 0; id < nr; id++) {
		h = hash_of(ctx, (uint32_t)id);
		for (j = h & x->mask; x->slots[j].id1; j = (j + 1) & x->mask)
			;
		cdoc_index_set(&x->slots[j], h, (uint32_t)id);
	}
}

void cdoc_u64map_init(struct cdoc_u64map *m)
{
	memset(m, 0, sizeof(*m));
}

void cdoc_u64map_release(struct cdoc_u64map *m)
{
	free(m->keys);
	free(m->vals);
	cdoc_u64map_init(m);
}

static void u64map_rehash(struct cdoc_u64map *m, size_t slots)
{
	struct cdoc_u64map n;
	size_t i;

	n.keys = cdoc_calloc(slots, sizeof(*n.keys));
	n.vals = cdoc_malloc(slots * sizeof(*n.vals));
	n.mask = slots - 1;
	n.nr = 0;
	for (i = 0; m->keys && i <= m->mask; i++)
		if (m->keys[i])
			cdoc_u64map_put(&n, m->keys[i], m->vals[i]);
	free(m->keys);
	free(m->vals);
	*m = n;
}

int cdoc_u64map_get(const struct cdoc_u64map *m, uint64_t key, uint32_t *val)
{
	size_t i;

	if (!m->keys)
		return 0;
	for (i = cdoc_hash_u64(key) & m->mask; m->keys[i];
	     i = (i + 1) & m->mask)
		if (m->keys[i] == key) {
			*val = m->vals[i];
			return 1;
		}
	return 0;
}

void cdoc_u64map_put(struct cdoc_u64map *m, uint64_t key, uint32_t val)
{
	size_t i;

	if (!m->keys || (m->nr + 1) * 4 > (m->mask + 1) * 3)
		u64map_rehash(m, m->keys ? (m->mask + 1) * 2 : 64);
	for (i = cdoc_hash_u64(key) & m->mask; m->keys[i];
	     i = (i + 1) & m->mask)
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return;
		}
	m->keys[i] = key;
	m->vals[i] = val;
	m->nr++;
}

void cdoc_strtab_init(struct cdoc_strtab *t)
{
	memset(t, 0, sizeof(*t));
}

void cdoc_strtab_release(struct cdoc_strtab *t)
{
	size_t i;

	for (i = 0; i < t->nr_chunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->strs);
	free(t->lens);
	free(t->hashes);
	cdoc_index_release(&t->index);
	cdoc_strtab_init(t);
}

static char *strtab_store(struct cdoc_strtab *t, const char *s, size_t len)
{
	char *dst;

	if (!t->nr_chunks || t->chunk_used + len + 1 > t->chunk_size) {
		size_t size = CDOC_MAX((size_t)1 << 16, len + 1);

		CDOC_GROW(t->chunks, t->nr_chunks + 1, t->alloc_chunks);
		t->chunks[t->nr_chunks++] = cdoc_malloc(size);
		t->chunk_size = size;
		t->chunk_used = 0;
	}
	dst = t->chunks[t->nr_chunks - 1] + t->chunk_used;
	memcpy(dst, s, len);
	dst[len] = '\0';
	t->chunk_used += len + 1;
	return dst;
}

/* What a probe of the strtab's index looks for. */
struct strtab_probe {
	const struct cdoc_strtab *t;
	const char *s;
	size_t len;
	uint64_t h;
};

static int strtab_eq(const void *ctx, uint32_t id)
{
	const struct strtab_probe *p = ctx;

	return p->t->hashes[id] == p->h && p->t->lens[id] == p->len &&
	       !memcmp(p->t->strs[id], p->s, p->len);
}

static uint64_t strtab_hash_of(const void *ctx, uint32_t id)
{
	return ((const struct cdoc_strtab *)ctx)->hashes[id];
}

int64_t cdoc_strtab_find(const struct cdoc_strtab *t, const char *s, size_t len)
{
	struct strtab_probe p = {t, s, len, cdoc_hash(s, len)};
	const struct cdoc_index_slot *slot;

	if (!t->index.slots)
		return -1;
	slot = cdoc_index_find(&t->index, p.h, strtab_eq, &p);
	return (int64_t)slot->id1 - 1;
}

uint32_t cdoc_strtab_intern(struct cdoc_strtab *t, const char *s, size_t len)
{
	struct strtab_probe p = {t, s, len, cdoc_hash(s, len)};
	struct cdoc_index_slot *slot;

	cdoc_index_reserve(&t->index, t->nr, 75, 256, strtab_hash_of, t);
	slot = cdoc_index_find(&t->index, p.h, strtab_eq, &p);
	if (slot->id1)
		return slot->id1 - 1;
	if (t->nr + 1 > t->alloc) {
		t->alloc = t->alloc * 2 + 256;
		t->strs = cdoc_realloc(t->strs, t->alloc * sizeof(*t->strs));
		t->lens = cdoc_realloc(t->lens, t->alloc * sizeof(*t->lens));
		t->hashes =
		        cdoc_realloc(t->hashes, t->alloc * sizeof(*t->hashes));
	}
	t->strs[t->nr] = strtab_store(t, s, len);
	t->lens[t->nr] = len;
	t->hashes[t->nr] = p.h;
	cdoc_index_set(slot, p.h, (uint32_t)t->nr);
	return t->nr++;
}
