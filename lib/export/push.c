/*
 * push.c - profiles to a Pyroscope server through its /ingest HTTP API:
 * one POST per profile group, the pprof file as the multipart/form-data
 * field "profile", the series name and time range in the query string.
 * libcurl does the HTTP.
 */
#include "export/internal.h"

#include <errno.h>
#include <string.h>

static const char *const push_groups[] = {"cpu", "heap", "offcpu"};

static int label_ok(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return 0;
	for (i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"
		            "YZ"
		            "0123456789_.-",
		            s[i]))
			return 0;
	return 1;
}

/* Check "k=v,k=v" and append it as {k=v,k=v}, URL-encoded. */
static int add_labels(struct cdoc_buf *b, const char *labels)
{
	const char *p = labels;

	while (p && *p) {
		const char *comma = strchrnul(p, ',');
		const char *eq = memchr(p, '=', comma - p);

		if (!eq || !label_ok(p, eq - p) ||
		    !label_ok(eq + 1, comma - eq - 1))
			return cdoc_error(-EINVAL,
			                  "bad label '%.*s': expected k=v with "
			                  "letters, digits, _ . -",
			                  (int)(comma - p), p);
		cdoc_buf_addf(b, "%s%.*s%%3D%.*s", p == labels ? "%7B" : "%2C",
		              (int)(eq - p), p, (int)(comma - eq - 1), eq + 1);
		p = *comma ? comma + 1 : comma;
	}
	if (labels && *labels)
		cdoc_buf_addstr(b, "%7D");
	return 0;
}

int cdoc_export_ingest_url(const struct cdoc_push_opts *o, uint64_t from_s,
                           uint64_t until_s, unsigned sample_rate, char **url)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	size_t base = strlen(o->url);

	while (base && o->url[base - 1] == '/')
		base--;
	if (!label_ok(o->app, strlen(o->app)))
		return cdoc_error(-EINVAL,
		                  "bad application name '%s': use letters, "
		                  "digits, _ . -",
		                  o->app);
	cdoc_buf_addf(&b, "%.*s/ingest?name=%s", (int)base, o->url, o->app);
	if (add_labels(&b, o->labels) < 0) {
		cdoc_buf_release(&b);
		return -EINVAL;
	}
	cdoc_buf_addf(&b,
	              "&from=%llu&until=%llu&format=pprof"
	              "&spyName=cdoctor&sampleRate=%u",
	              (unsigned long long)from_s, (unsigned long long)until_s,
	              sample_rate);
	*url = cdoc_buf_detach(&b, NULL);
	return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	struct cdoc_buf *b = arg;

	if (b->len < 512)
		cdoc_buf_add(b, p, CDOC_MIN(size * n, 512 - b->len));
	return size * n;
}

/* POST @body (a pprof file) to @url; 0 or negative with a message. */
static int post(const char *url, const struct cdoc_buf *body, long timeout)
{
	const struct export__curl *cu = export__curl();
	struct cdoc_buf resp = CDOC_BUF_INIT;
	CURL *c = cu->easy_init();
	curl_mime *mime;
	curl_mimepart *part;
	CURLcode rc;
	long status = 0;
	int ret = 0;

	if (!c)
		return cdoc_error(-ENOMEM, "push: cannot start libcurl");
	mime = cu->mime_init(c);
	part = cu->mime_addpart(mime);
	cu->mime_name(part, "profile");
	cu->mime_filename(part, "profile.pprof");
	cu->mime_type(part, "application/octet-stream");
	cu->mime_data(part, body->buf, body->len);
	cu->easy_setopt(c, CURLOPT_URL, url);
	cu->easy_setopt(c, CURLOPT_MIMEPOST, mime);
	cu->easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	cu->easy_setopt(c, CURLOPT_WRITEDATA, &resp);
	cu->easy_setopt(c, CURLOPT_USERAGENT, "cdoctor");
	rc = cu->easy_perform(c);
	cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		ret = cdoc_error(-EIO, "push: %s: %s", url,
		                 cu->easy_strerror(rc));
	else if (status < 200 || status > 299)
		ret = cdoc_error(-EIO, "push: %s: HTTP %ld: %.200s", url,
		                 status, resp.len ? resp.buf : "");
	cu->mime_free(mime);
	cu->easy_cleanup(c);
	cdoc_buf_release(&resp);
	return ret;
}

/* The application name: --app, else the command's base name. */
static char *app_name(const struct cdoc_recording *r, const char *app)
{
	const char *cmd = cdoc_recording_meta(r, "command");
	const char *s, *end;
	char *name, *p;

	if (app)
		return cdoc_strdup(app);
	if (!cmd || !*cmd)
		return cdoc_strdup("cdoctor");
	end = strchrnul(cmd, ' ');
	for (s = end; s > cmd && s[-1] != '/'; s--)
		;
	name = cdoc_strndup(s, end - s);
	for (p = name; *p; p++)
		if (!label_ok(p, 1))
			*p = '_';
	return name;
}

static int push_group(struct cdoc_recording *r, const struct cdoc_push_opts *o,
                      const char *group)
{
	struct cdoc_buf body = CDOC_BUF_INIT;
	uint64_t from = export__start_epoch_s(r),
	         per = export__sample_period_ns(r);
	uint64_t until =
	        from + (export__duration_ns(r) + 999999999) / 1000000000;
	char *url = NULL;
	int ret;

	cdoc_errclear();
	ret = cdoc_export_pprof(r, group, &body);
	if (ret < 0) {
		cdoc_buf_release(&body);
		return 0; /* the recording has no such profile */
	}
	ret = cdoc_export_ingest_url(o, from, until + (until == from),
	                             per ? (unsigned)(1000000000 / per) : 100,
	                             &url);
	if (!ret)
		ret = post(url, &body, o->timeout_s ? o->timeout_s : 30);
	free(url);
	cdoc_buf_release(&body);
	return ret < 0 ? ret : 1;
}

int cdoc_export_push(struct cdoc_recording *r, const struct cdoc_push_opts *o)
{
	struct cdoc_push_opts opts = *o;
	char *app = app_name(r, o->app);
	size_t i;
	int ret = 0, n = 0;
	const struct export__curl *cu = export__curl();

	if (!cu) {
		free(app);
		return cdoc_error(-EIO, "push: cannot load %s",
		                  CDOC_CURL_SONAME);
	}
	opts.app = app;
	if (cu->global_init(CURL_GLOBAL_DEFAULT)) {
		free(app);
		return cdoc_error(-EIO, "push: cannot start libcurl");
	}
	for (i = 0; i < CDOC_ARRAY_SIZE(push_groups) && ret >= 0; i++) {
		ret = push_group(r, &opts, push_groups[i]);
		n += ret > 0;
	}
	cu->global_cleanup();
	free(app);
	if (ret >= 0 && !n)
		return cdoc_error(-CDOC_EFORMAT,
		                  "push: %s has no profile to send",
		                  r->path ? r->path : "recording");
	return ret < 0 ? ret : n;
}
