/*
 * curl.c - libcurl, opened with dlopen() the first time a push needs it.
 *
 * Linked at load time, libcurl and the thirty libraries it pulls in (TLS,
 * Kerberos, LDAP, ...) cost every start of cdoctor some 10 ms of CPU:
 * the start-up of every `cdoctor run`, paid again by each tracked run
 * whether it pushes or not. Only `push` and `run --push` call it.
 */
#include "export/internal.h"

#include <dlfcn.h>
#include <pthread.h>

static struct export__curl curl;
static int curl_ok;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

#define SYM(field, name)                                                       \
	do {                                                                   \
		*(void **)&curl.field = dlsym(dl, name);                       \
		if (!curl.field)                                               \
			return;                                                \
	} while (0)

static void curl_load(void)
{
	void *dl = dlopen(CDOC_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!dl)
		return;
	/* on a missing symbol the handle stays: nothing to gain closing it */
	SYM(global_init, "curl_global_init");
	SYM(global_cleanup, "curl_global_cleanup");
	SYM(easy_init, "curl_easy_init");
	SYM(easy_cleanup, "curl_easy_cleanup");
	SYM(easy_setopt, "curl_easy_setopt");
	SYM(easy_perform, "curl_easy_perform");
	SYM(easy_getinfo, "curl_easy_getinfo");
	SYM(easy_strerror, "curl_easy_strerror");
	SYM(mime_init, "curl_mime_init");
	SYM(mime_addpart, "curl_mime_addpart");
	SYM(mime_name, "curl_mime_name");
	SYM(mime_filename, "curl_mime_filename");
	SYM(mime_type, "curl_mime_type");
	SYM(mime_data, "curl_mime_data");
	SYM(mime_free, "curl_mime_free");
	curl_ok = 1;
}

const struct export__curl *export__curl(void)
{
	pthread_once(&curl_once, curl_load);
	if (!curl_ok)
		return NULL;
	return &curl;
}
