/*
 * synth.h - synthetic recordings for the doctor and report tests, written
 * with the real writer API. Included by test files (not a test itself).
 */
#ifndef CDOC_TEST_SYNTH_H
#define CDOC_TEST_SYNTH_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/record.h"

static char synth_dir[64];
static char synth_path[128];

static __attribute__((unused)) void synth_setup(void)
{
	strcpy(synth_dir, "/tmp/cdoc-synth-XXXXXX");
	cr_assert_not_null(mkdtemp(synth_dir));
	snprintf(synth_path, sizeof(synth_path), "%s/t.cdr", synth_dir);
}

static __attribute__((unused)) void synth_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", synth_dir);
	cr_assert_eq(system(cmd), 0);
}

/* Write folded lines "a;b;c N" as samples of @profile for @pid. */
static __attribute__((unused)) void synth_folded(struct cdoc_rec_writer *w,
                                                 const char *profile,
                                                 uint32_t pid, const char *text)
{
	uint32_t prof = cdoc_rec_str(w, profile);
	char *copy = strdup(text), *save = NULL, *line;

	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(line, ' '), *f, *s2 = NULL;
		uint32_t stack = CDOC_REC_ROOT;

		cr_assert_not_null(sp);
		*sp = '\0';
		for (f = strtok_r(line, ";", &s2); f;
		     f = strtok_r(NULL, ";", &s2))
			stack = cdoc_rec_stack(w, stack, cdoc_rec_str(w, f));
		cr_assert_eq(cdoc_rec_sample(w, prof, pid, stack,
		                             strtoull(sp + 1, NULL, 10)),
		             0);
	}
	free(copy);
}

/* Open synth_path for writing. */
static __attribute__((unused)) void synth_open(struct cdoc_rec_writer *w)
{
	cr_assert_eq(cdoc_rec_writer_open(w, synth_path), 0, "%s",
	             cdoc_errmsg());
}

/* Close @w and load the file into @r. */
static __attribute__((unused)) void synth_load(struct cdoc_rec_writer *w,
                                               struct cdoc_recording *r)
{
	cr_assert_eq(cdoc_rec_writer_close(w), 0);
	cr_assert_eq(cdoc_recording_load(r, synth_path), 0, "%s",
	             cdoc_errmsg());
}

/* A recording with only a cpu profile from @folded. */
static __attribute__((unused)) void synth_cpu(struct cdoc_recording *r,
                                              const char *folded)
{
	struct cdoc_rec_writer w;

	synth_open(&w);
	synth_folded(&w, "cpu", 1, folded);
	synth_load(&w, r);
}

#endif
