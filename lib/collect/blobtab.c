/*
 * blobtab.c - byte-string keys to two u32 values over cdoc_index. Keys
 * are compared in full, so two stacks never share an id by accident.
 */
#include <stdlib.h>
#include <string.h>

#include "collect/cpu.h"

/* What is looked for: the key and its hash. */
struct probe {
	const struct blobtab *t;
	const void *key;
	size_t len;
	uint64_t hash;
};

void collect__blobtab_init(struct blobtab *t)
{
	memset(t, 0, sizeof(*t));
	cdoc_index_init(&t->index);
}

void collect__blobtab_release(struct blobtab *t)
{
	cdoc_index_release(&t->index);
	free(t->ents);
	cdoc_buf_release(&t->keys);
	memset(t, 0, sizeof(*t));
}

static uint64_t hash_of(const void *ctx, uint32_t id)
{
	return ((const struct blobtab *)ctx)->ents[id].hash;
}

static int same(const void *ctx, uint32_t id)
{
	const struct probe *p = ctx;
	const struct blobent *e = &p->t->ents[id];

	return e->hash == p->hash && e->len == p->len &&
	       !memcmp(p->t->keys.buf + e->off, p->key, p->len);
}

struct blobent *collect__blobtab_get(struct blobtab *t, const void *key,
                                     size_t len, uint64_t hash)
{
	struct probe p = {t, key, len, hash};
	struct cdoc_index_slot *s;

	if (!t->index.slots)
		return NULL;
	s = cdoc_index_find(&t->index, hash, same, &p);
	return s->id1 ? &t->ents[s->id1 - 1] : NULL;
}

struct blobent *collect__blobtab_add(struct blobtab *t, const void *key,
                                     size_t len, uint64_t hash)
{
	struct probe p = {t, key, len, hash};
	struct cdoc_index_slot *s;
	struct blobent *e;

	cdoc_index_reserve(&t->index, t->nr, 50, 1024, hash_of, t);
	s = cdoc_index_find(&t->index, hash, same, &p);
	CDOC_GROW(t->ents, t->nr + 1, t->alloc);
	e = &t->ents[t->nr];
	e->hash = hash;
	e->off = t->keys.len;
	e->len = len;
	e->val[0] = e->val[1] = 0;
	cdoc_buf_add(&t->keys, key, len);
	cdoc_index_set(s, hash, (uint32_t)t->nr);
	t->nr++;
	return e;
}
