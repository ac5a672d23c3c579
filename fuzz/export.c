/*
 * export.c - libFuzzer target for the exporters (lib/export): any
 * recording the reader accepts must export in every format without a
 * crash, and the JSON formats must be valid JSON (cdoc_json_check).
 * Inputs are recordings; CRCs are rewritten so mutations reach the
 * chunk decoders and the exporters, not only the CRC check.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "export/export.h"
#include "record/record.h"

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void fix_crcs(unsigned char *p, size_t len)
{
	size_t off = CDOC_REC_HEADER_SIZE;

	while (off < len && len - off >= CDOC_REC_CHUNK_HDR) {
		uint32_t size = le32(p + off + 4), crc;

		if (size > len - off - CDOC_REC_CHUNK_HDR)
			return;
		crc = crc32(0, p + off + CDOC_REC_CHUNK_HDR, size);
		memcpy(p + off + 8,
		       (unsigned char[]){crc, crc >> 8, crc >> 16, crc >> 24},
		       4);
		off += CDOC_REC_CHUNK_HDR + size;
	}
}

static void json_ok(const struct cdoc_buf *b, int ret)
{
	if (ret == 0 && cdoc_json_check(b->buf, b->len, 1, "export") < 0)
		abort();
}

static void export_all(struct cdoc_recording *r)
{
	static const char *const groups[] = {"cpu", "heap", "leaks", "offcpu"};
	struct cdoc_buf b = CDOC_BUF_INIT;
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(groups); i++) {
		cdoc_export_pprof(r, groups[i], &b);
		cdoc_buf_reset(&b);
	}
	json_ok(&b, cdoc_export_trace(r, &b));
	for (i = 0; i < r->nr_profiles; i++) {
		const char *name = r->profiles[i].name;

		cdoc_buf_reset(&b);
		cdoc_export_pprof(r, name, &b);
		cdoc_buf_reset(&b);
		json_ok(&b, cdoc_export_speedscope(r, name, &b));
		cdoc_buf_reset(&b);
		json_ok(&b, cdoc_export_cpuprofile(r, name, &b));
	}
	cdoc_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct cdoc_recording r;
	unsigned char *copy;

	if (len < CDOC_REC_HEADER_SIZE || len > (1 << 20))
		return 0;
	copy = malloc(len);
	memcpy(copy, data, len);
	fix_crcs(copy, len);
	if (cdoc_recording_parse(&r, "fuzz.cdr", (char *)copy, len) == 0) {
		export_all(&r);
		cdoc_recording_release(&r);
	}
	free(copy);
	return 0;
}
