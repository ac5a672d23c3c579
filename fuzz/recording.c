/*
 * recording.c - libFuzzer target for the recording reader
 * (cdoc_recording_parse). A file that loads must also survive the doctor
 * and every report renderer, since reports are what users run on
 * recordings they are sent; a file that fails must say why.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "doctor/doctor.h"
#include "record/record.h"
#include "report/report.h"

static void render(struct cdoc_recording *r)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	size_t i;

	cdoc_report_text(r, NULL, &b);
	cdoc_buf_reset(&b);
	cdoc_report_json(r, NULL, &b);
	cdoc_buf_reset(&b);
	for (i = 0; i < r->nr_profiles; i++)
		cdoc_report_folded(r, r->profiles[i].name, &b);
	cdoc_buf_release(&b);
}

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Rewrite the CRC of every whole chunk in @p. */
static void fix_crcs(unsigned char *p, size_t len)
{
	size_t off = CDOC_REC_HEADER_SIZE;

	while (len - off >= CDOC_REC_CHUNK_HDR && off < len) {
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

static void parse(const char *data, size_t len)
{
	struct cdoc_recording r;
	int ret;

	cdoc_errclear();
	ret = cdoc_recording_parse(&r, "fuzz.cdr", data, len);
	if (ret < 0) {
		if (!*cdoc_errmsg())
			abort();
		return;
	}
	if (!r.complete && !r.cut_short)
		abort();
	render(&r);
	cdoc_recording_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	unsigned char *copy;

	parse((const char *)data, len);
	if (len < CDOC_REC_HEADER_SIZE)
		return 0;
	copy = malloc(len);
	memcpy(copy, data, len);
	fix_crcs(copy, len);
	parse((const char *)copy, len);
	free(copy);
	return 0;
}
