/*
 * frames.c - walking a profile's stacks, classifying frame names, and
 * small tallies for the details of diagnoses.
 */
#include "doctor/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void doctor__walk(const struct cdoc_profile *p, stack_fn fn, void *ctx)
{
	const char **frames = NULL;
	size_t alloc = 0, id;

	for (id = 1; id < p->nr_nodes; id++) {
		const struct cdoc_pnode *nd = &p->nodes[id];
		uint32_t x = id;
		size_t n = nd->depth, i = n;

		if (!nd->self[0])
			continue;
		CDOC_GROW(frames, n, alloc);
		while (x && i > 0) {
			frames[--i] = cdoc_profile_node_name(p, x);
			x = p->nodes[x].parent;
		}
		fn(ctx, frames + i, n - i, nd->self[0]);
	}
	free(frames);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !memcmp(s + a - b, suffix, b);
}

int doctor__frame_is_kernel(const char *name)
{
	return ends_with(name, "_[k]");
}

/* @name is @fn, or @fn followed by a suffix such as "_[k]" or "@@GLIBC". */
static int is_fn(const char *name, const char *fn)
{
	size_t n = strlen(fn);

	return !strncmp(name, fn, n) &&
	       (!name[n] || name[n] == '@' || name[n] == '(' ||
	        !strcmp(name + n, "_[i]"));
}

int doctor__frame_is_alloc(const char *name)
{
	static const char *const fns[] = {"malloc",
	                                  "free",
	                                  "calloc",
	                                  "realloc",
	                                  "cfree",
	                                  "_int_malloc",
	                                  "_int_free",
	                                  "_int_realloc",
	                                  "malloc_consolidate",
	                                  "sysmalloc",
	                                  "__libc_malloc",
	                                  "__libc_free",
	                                  "__libc_calloc",
	                                  "__libc_realloc",
	                                  "__GI___libc_malloc",
	                                  "__GI___libc_free",
	                                  "posix_memalign",
	                                  "aligned_alloc",
	                                  "memalign",
	                                  "unlink_chunk",
	                                  "tcache_get",
	                                  "tcache_put",
	                                  "je_malloc",
	                                  "je_free",
	                                  "tc_malloc",
	                                  "tc_free",
	                                  "_int_memalign",
	                                  "__malloc_arena_thread_freeres"};
	size_t i;

	if (!strncmp(name, "operator new", 12) ||
	    !strncmp(name, "operator delete", 15))
		return 1;
	for (i = 0; i < CDOC_ARRAY_SIZE(fns); i++)
		if (is_fn(name, fns[i]))
			return 1;
	return 0;
}

int doctor__frame_is_lock(const char *name)
{
	static const char *const parts[] = {"futex",
	                                    "pthread_mutex_lock",
	                                    "__lll_lock_wait",
	                                    "pthread_cond_wait",
	                                    "pthread_cond_timedwait",
	                                    "pthread_rwlock_",
	                                    "pthread_spin_lock",
	                                    "sem_wait",
	                                    "queued_spin_lock_slowpath",
	                                    "__pthread_mutex_cond_lock",
	                                    "lll_mutex_lock"};
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(parts); i++)
		if (strstr(name, parts[i]))
			return 1;
	return 0;
}

int doctor__frame_is_unresolved(const char *name, size_t *modlen)
{
	const char *plus = strstr(name, "+0x");
	const char *q;

	if (!plus || plus == name)
		return 0;
	for (q = plus + 3; isxdigit((unsigned char)*q); q++)
		;
	if (q == plus + 3 || (*q && strcmp(q, "_[k]") && strcmp(q, "_[j]")))
		return 0;
	*modlen = plus - name;
	return 1;
}

const char *doctor__frame_syscall(const char *name, size_t *len)
{
	static const char *const prefixes[] = {"__x64_sys_",  "__arm64_sys_",
	                                       "__ia32_sys_", "__se_sys_",
	                                       "__do_sys_",   "ksys_"};
	size_t i, n;

	if (!doctor__frame_is_kernel(name))
		return NULL;
	for (i = 0; i < CDOC_ARRAY_SIZE(prefixes); i++) {
		n = strlen(prefixes[i]);
		if (!strncmp(name, prefixes[i], n)) {
			*len = strlen(name) - n - 4;
			return *len ? name + n : NULL;
		}
	}
	return NULL;
}

void doctor__tally_init(struct tally *t)
{
	memset(t, 0, sizeof(*t));
	cdoc_strtab_init(&t->names);
}

void doctor__tally_add(struct tally *t, const char *name, size_t len,
                       uint64_t w)
{
	uint32_t id = cdoc_strtab_intern(&t->names, name, len);

	if (id >= t->alloc) {
		size_t old = t->alloc;

		CDOC_GROW(t->w, id + 1, t->alloc);
		memset(t->w + old, 0, (t->alloc - old) * sizeof(*t->w));
	}
	t->w[id] += w;
}

void doctor__tally_top(const struct tally *t, size_t k, uint64_t whole,
                       struct cdoc_buf *out)
{
	char *used = cdoc_calloc(t->names.nr + 1, 1);
	size_t i, j;

	for (j = 0; j < k; j++) {
		size_t best = SIZE_MAX;

		for (i = 0; i < t->names.nr; i++)
			if (!used[i] &&
			    (best == SIZE_MAX || t->w[i] > t->w[best]))
				best = i;
		if (best == SIZE_MAX)
			break;
		used[best] = 1;
		cdoc_buf_addf(out, "%s%s (%.1f%%)", j ? ", " : "",
		              cdoc_strtab_get(&t->names, best),
		              pct(t->w[best], whole));
	}
	free(used);
}

void doctor__tally_release(struct tally *t)
{
	cdoc_strtab_release(&t->names);
	free(t->w);
	memset(t, 0, sizeof(*t));
}

void doctor__heaviest_chain(const struct cdoc_profile *p, const char *name,
                            size_t max, struct cdoc_buf *out)
{
	uint32_t best = 0, x, *path;
	size_t id, n = 0, i;

	for (id = 1; id < p->nr_nodes; id++)
		if (!strcmp(cdoc_profile_node_name(p, id), name) &&
		    (!best || p->nodes[id].self[0] > p->nodes[best].self[0]))
			best = id;
	if (!best)
		return;
	path = cdoc_malloc((p->nodes[best].depth + 1) * sizeof(*path));
	for (x = best; x; x = p->nodes[x].parent)
		path[n++] = x;
	if (n > max)
		cdoc_buf_addstr(out, "... -> ");
	for (i = CDOC_MIN(n, max); i-- > 0;)
		cdoc_buf_addf(out, "%s%s", cdoc_profile_node_name(p, path[i]),
		              i ? " -> " : "");
	free(path);
}
