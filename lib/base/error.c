/*
 * error.c - the last error message of each thread, and allocation that
 * aborts on exhaustion.
 */
#include "base.h"

#include <stdlib.h>
#include <string.h>

static _Thread_local char last_msg[1024];

int cdoc_verror(int code, const char *fmt, va_list ap)
{
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	return code;
}

int cdoc_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cdoc_verror(code, fmt, ap);
	va_end(ap);
	return code;
}

const char *cdoc_errmsg(void)
{
	return last_msg;
}

void cdoc_errclear(void)
{
	last_msg[0] = '\0';
}

static void (*oom_handler)(size_t size, const char *input);
static _Thread_local const char *oom_input;

void cdoc_set_oom_handler(void (*fn)(size_t size, const char *input))
{
	oom_handler = fn;
}

void cdoc_set_oom_input(const char *name)
{
	oom_input = name;
}

static void *check(void *p, size_t size)
{
	if (!p) {
		if (oom_handler)
			oom_handler(size, oom_input);
		abort();
	}
	return p;
}

void *cdoc_malloc(size_t size)
{
	return check(malloc(size ? size : 1), size);
}

void *cdoc_calloc(size_t nmemb, size_t size)
{
	return check(calloc(nmemb ? nmemb : 1, size ? size : 1), nmemb * size);
}

void *cdoc_realloc(void *ptr, size_t size)
{
	return check(realloc(ptr, size ? size : 1), size);
}

char *cdoc_strdup(const char *s)
{
	return check(strdup(s), strlen(s) + 1);
}

char *cdoc_strndup(const char *s, size_t n)
{
	return check(strndup(s, n), n + 1);
}
