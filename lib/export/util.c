/*
 * util.c - what several exporters need from a recording: sampling
 * period, start time, duration, node paths, the message for a missing
 * profile, and the format table.
 */
#include "export/internal.h"

#include <errno.h>
#include <string.h>
#include <time.h>

uint64_t export__sample_period_ns(const struct cdoc_recording *r)
{
	const char *f = cdoc_recording_meta(r, "frequency");
	double hz = f ? strtod(f, NULL) : 0;

	return hz >= 1 ? (uint64_t)(1e9 / hz + 0.5) : 0;
}

uint64_t export__start_epoch_s(const struct cdoc_recording *r)
{
	const char *s = cdoc_recording_meta(r, "start_time");
	struct tm tm = {0};
	const char *end;

	if (!s)
		return 0;
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return 0;
	return (uint64_t)timegm(&tm);
}

uint64_t export__duration_ns(const struct cdoc_recording *r)
{
	const char *s = cdoc_recording_meta(r, "duration_ns");

	return s ? strtoull(s, NULL, 10) : 0;
}

size_t export__node_path(const struct cdoc_profile *p, uint32_t node,
                         uint32_t **ids)
{
	size_t depth = p->nodes[node].depth, i = depth;

	*ids = cdoc_malloc((depth + 1) * sizeof(uint32_t));
	while (i > 0) {
		(*ids)[--i] = node;
		node = p->nodes[node].parent;
	}
	return depth;
}

void export__json_str(struct cdoc_buf *b, const char *s, size_t len)
{
	cdoc_buf_addch(b, '"');
	cdoc_buf_add_json(b, s, len);
	cdoc_buf_addch(b, '"');
}

int export__no_profile(const struct cdoc_recording *r, const char *kind)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	size_t i;
	int ret;

	for (i = 0; i < r->nr_profiles; i++)
		cdoc_buf_addf(&b, "%s%s", i ? ", " : "", r->profiles[i].name);
	ret = cdoc_error(-CDOC_EFORMAT, "%s: no profile '%s' (it has: %s)",
	                 r->path ? r->path : "recording", kind,
	                 b.len ? b.buf : "none");
	cdoc_buf_release(&b);
	return ret;
}

static const char *const formats[] = {
        [CDOC_EXPORT_PPROF] = "pprof",
        [CDOC_EXPORT_SPEEDSCOPE] = "speedscope",
        [CDOC_EXPORT_CPUPROFILE] = "cpuprofile",
        [CDOC_EXPORT_TRACE] = "trace",
        [CDOC_EXPORT_FOLDED] = "folded",
};

int cdoc_export_format(const char *name)
{
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(formats); i++)
		if (!strcmp(formats[i], name))
			return (int)i;
	return -1;
}

static int export_folded(struct cdoc_recording *r, const char *kind,
                         struct cdoc_buf *out)
{
	struct cdoc_profile *p = cdoc_recording_profile(r, kind);

	if (!p)
		return export__no_profile(r, kind);
	cdoc_profile_write_folded(p, out);
	return 0;
}

int cdoc_export(struct cdoc_recording *r, int format, const char *kind,
                struct cdoc_buf *out)
{
	switch (format) {
	case CDOC_EXPORT_PPROF:
		return cdoc_export_pprof(r, kind ? kind : "cpu", out);
	case CDOC_EXPORT_SPEEDSCOPE:
		return cdoc_export_speedscope(r, kind ? kind : "cpu", out);
	case CDOC_EXPORT_CPUPROFILE:
		return cdoc_export_cpuprofile(r, kind ? kind : "cpu", out);
	case CDOC_EXPORT_TRACE:
		return cdoc_export_trace(r, out);
	case CDOC_EXPORT_FOLDED:
		return export_folded(r, kind ? kind : "cpu", out);
	}
	return cdoc_error(-EINVAL, "unknown export format %d", format);
}
