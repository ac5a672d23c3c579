/*
 * alloc_checksum - a computation that allocates a lot (a hash table of
 * strings, grown and shrunk, with realloc'd values) and prints a checksum
 * of its results. The output must be the same with and without the
 * allocation shim: tracking never changes what a program computes.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ent {
	char *key;
	char *val;
	size_t vlen;
	struct ent *next;
};

#define BUCKETS 4096

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

int main(int argc, char **argv)
{
	struct ent **tab = calloc(BUCKETS, sizeof(*tab));
	uint64_t rng = 42, sum = 0;
	int n = argc > 1 ? atoi(argv[1]) : 200000;
	char key[32];

	for (int i = 0; i < n; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		snprintf(key, sizeof(key), "k%llu",
		         (unsigned long long)(rng >> 45));
		struct ent **pp = &tab[hash(key) % BUCKETS], *e;

		while (*pp && strcmp((*pp)->key, key))
			pp = &(*pp)->next;
		if ((e = *pp) && (rng >> 20) % 3 == 0) {
			*pp = e->next;
			sum += e->vlen;
			free(e->key);
			free(e->val);
			free(e);
			continue;
		}
		if (!e) {
			e = calloc(1, sizeof(*e));
			e->key = strdup(key);
			e->next = tab[hash(key) % BUCKETS];
			tab[hash(key) % BUCKETS] = e;
		}
		e->val = realloc(e->val, e->vlen + 8);
		memcpy(e->val + e->vlen, key, 8);
		e->vlen += 8;
		errno = 0;
	}
	for (int b = 0; b < BUCKETS; b++)
		for (struct ent *e = tab[b]; e; e = e->next)
			for (size_t j = 0; j < e->vlen; j++)
				sum = sum * 31 + (unsigned char)e->val[j];
	printf("checksum %016llx errno %d\n", (unsigned long long)sum, errno);
	return 0;
}
