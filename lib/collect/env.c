/*
 * env.c - the environment of a launched program, built apart from
 * cdoctor's own: sources add the shim's LD_PRELOAD, NODE_OPTIONS and the
 * like here, and cdoctor's environment is never changed.
 */
#include <stdlib.h>
#include <string.h>

#include "collect/collect.h"

static void push(struct cdoc_env *e, char *s)
{
	CDOC_GROW(e->v, e->nr + 2, e->alloc);
	e->v[e->nr++] = s;
	e->v[e->nr] = NULL;
}

void cdoc_env_init(struct cdoc_env *e, char *const *base)
{
	memset(e, 0, sizeof(*e));
	CDOC_GROW(e->v, 1, e->alloc);
	e->v[0] = NULL;
	for (size_t i = 0; base && base[i]; i++)
		push(e, cdoc_strdup(base[i]));
}

void cdoc_env_release(struct cdoc_env *e)
{
	for (size_t i = 0; i < e->nr; i++)
		free(e->v[i]);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

/* The index of @name's entry, or -1. */
static long find(const struct cdoc_env *e, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < e->nr; i++)
		if (!strncmp(e->v[i], name, n) && e->v[i][n] == '=')
			return (long)i;
	return -1;
}

const char *cdoc_env_get(const struct cdoc_env *e, const char *name)
{
	long i = find(e, name);

	return i < 0 ? NULL : e->v[i] + strlen(name) + 1;
}

void cdoc_env_set(struct cdoc_env *e, const char *name, const char *value)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	long i = find(e, name);

	cdoc_buf_addf(&b, "%s=%s", name, value);
	if (i < 0) {
		push(e, cdoc_buf_detach(&b, NULL));
		return;
	}
	free(e->v[i]);
	e->v[i] = cdoc_buf_detach(&b, NULL);
}

void cdoc_env_take(struct cdoc_env *e, char **v)
{
	cdoc_env_release(e);
	e->v = v;
	while (v[e->nr])
		e->nr++;
	e->alloc = e->nr + 1;
}
