/*
 * run.h - what `cdoctor run` and `cdoctor attach` share: the collection
 * options, the run itself, and the summary and HTML written at the end.
 */
#ifndef CDOCTOR_RUN_H
#define CDOCTOR_RUN_H

#include "collect/collect.h"

/* Long-only options shared by run and attach (getopt codes). */
enum {
	OPT_CG = 256,
	OPT_STACK,
	OPT_MMAP,
	OPT_PORT,
	OPT_NOHTML,
	OPT_ALLOC,
	OPT_ALLOC_SAMPLE,
	OPT_ALLOC_MMAP,
	OPT_ALLOC_FP,
	OPT_HEAP_INTERVAL,
	OPT_NO_ALLOC,
};

/* The long options run and attach share (handled by run_common_opt). */
#define RUN_COMMON_LONGOPTS                                                    \
	{"freq", required_argument, NULL, 'F'},                                \
	        {"event", required_argument, NULL, 'e'},                       \
	        {"call-graph", required_argument, NULL, OPT_CG},               \
	        {"stack-size", required_argument, NULL, OPT_STACK},            \
	        {"mmap-kib", required_argument, NULL, OPT_MMAP},               \
	        {"duration", required_argument, NULL, 'd'},                    \
	        {"output", required_argument, NULL, 'o'},                      \
	        {"no-html", no_argument, NULL, OPT_NOHTML},                    \
	{                                                                      \
		"help", no_argument, NULL, 'h'                                 \
	}

/* Common options of run and attach; @c is the option character. */
int run_common_opt(struct cdoc_collect_opts *o, const char *sub, int c,
                   const char *arg, int *no_html);

/*
 * Start, loop, finish; print the notice, the summary and write the HTML
 * page next to the recording. Returns the exit status for the shell.
 */
int run_collect(const char *sub, struct cdoc_collect_opts *o, int no_html,
                int exit_with_target);

struct alloc_opts;

/* run_collect() with allocation tracking (@a may be NULL: none). */
int run_collect_alloc(const char *sub, struct cdoc_collect_opts *o,
                      struct alloc_opts *a, int no_html, int exit_with_target);

#endif
