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

static void *check(void *p)
{
	if (!p)
		abort();
	return p;
}

void *cdoc_malloc(size_t size)
{
	return check(malloc(size ? size : 1));
}

void *cdoc_calloc(size_t nmemb, size_t size)
{
	return check(calloc(nmemb ? nmemb : 1, size ? size : 1));
}

void *cdoc_realloc(void *ptr, size_t size)
{
	return check(realloc(ptr, size ? size : 1));
}

char *cdoc_strdup(const char *s)
{
	return check(strdup(s));
}

char *cdoc_strndup(const char *s, size_t n)
{
	return check(strndup(s, n));
}
