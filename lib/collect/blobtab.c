/*
 * blobtab.c - byte-string keys to two u32 values, open addressing. Keys
 * are compared in full, so two stacks never share an id by accident.
 */
#include <stdlib.h>
#include <string.h>

#include "collect/cpu.h"

void collect__blobtab_init(struct blobtab *t)
{
	memset(t, 0, sizeof(*t));
}

void collect__blobtab_release(struct blobtab *t)
{
	free(t->slots);
	free(t->ents);
	cdoc_buf_release(&t->keys);
	memset(t, 0, sizeof(*t));
}

static int same(const struct blobtab *t, const struct blobent *e,
                const void *key, size_t len, uint64_t hash)
{
	return e->hash == hash && e->len == len &&
	       !memcmp(t->keys.buf + e->off, key, len);
}

struct blobent *collect__blobtab_get(struct blobtab *t, const void *key,
                                     size_t len, uint64_t hash)
{
	size_t i;

	if (!t->slots)
		return NULL;
	for (i = hash & t->mask; t->slots[i]; i = (i + 1) & t->mask) {
		struct blobent *e = &t->ents[t->slots[i] - 1];

		if (same(t, e, key, len, hash))
			return e;
	}
	return NULL;
}

static void rehash(struct blobtab *t)
{
	size_t n = t->slots ? (t->mask + 1) * 2 : 1024;

	free(t->slots);
	t->slots = cdoc_calloc(n, sizeof(*t->slots));
	t->mask = n - 1;
	for (size_t j = 0; j < t->nr; j++) {
		size_t i = t->ents[j].hash & t->mask;

		while (t->slots[i])
			i = (i + 1) & t->mask;
		t->slots[i] = j + 1;
	}
}

struct blobent *collect__blobtab_add(struct blobtab *t, const void *key,
                                     size_t len, uint64_t hash)
{
	struct blobent *e;
	size_t i;

	if (!t->slots || (t->nr + 1) * 2 > t->mask + 1) {
		CDOC_GROW(t->ents, t->nr + 1, t->alloc);
		rehash(t);
	}
	CDOC_GROW(t->ents, t->nr + 1, t->alloc);
	e = &t->ents[t->nr];
	e->hash = hash;
	e->off = t->keys.len;
	e->len = len;
	e->val[0] = e->val[1] = 0;
	cdoc_buf_add(&t->keys, key, len);
	t->nr++;
	for (i = hash & t->mask; t->slots[i]; i = (i + 1) & t->mask)
		;
	t->slots[i] = t->nr;
	return e;
}
