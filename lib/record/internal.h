/*
 * internal.h - what the files of lib/record share and nobody else uses.
 */
#ifndef CDOC_RECORD_INTERNAL_H
#define CDOC_RECORD_INTERNAL_H

#include "record/record.h"

/* timed.c: write the pending TSAMPLES entries of @w. */
int record__flush_timed(struct cdoc_rec_writer *w);

/*
 * timed.c: decode one TSAMPLES payload into @r (the chunk at byte
 * @offset of file @name, for messages).
 */
int record__read_timed(struct cdoc_recording *r, const char *name,
                       uint64_t offset, struct cdoc_reader *d);

/*
 * threads.c: decode one THREADS payload into @r (the chunk at byte
 * @offset of file @name, for messages).
 */
int record__read_threads(struct cdoc_recording *r, const char *name,
                         uint64_t offset, struct cdoc_reader *d);
/* ticks.c: decode one TICKS payload into r->ticksets (the chunk at byte
 * @offset of file @name, for messages). */
int record__read_ticks(struct cdoc_recording *r, const char *name,
                       uint64_t offset, struct cdoc_reader *d);
void record__release_ticks(struct cdoc_recording *r);

/* reader.c: the profile named @name, created when missing. */
struct cdoc_rec_profile *record__get_profile(struct cdoc_recording *r,
                                             const char *name);

/* reader.c: the profile node of file stack @stack (memoized). */
uint32_t record__node_of(struct cdoc_recording *r, struct cdoc_rec_profile *p,
                         uint32_t stack, struct cdoc_buf *path);

#endif
