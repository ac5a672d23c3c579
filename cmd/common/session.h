/*
 * session.h - the front end of a run session, shared by `cdoctor run`
 * and `cdoctor attach`: their common options, and the session itself
 * with what is printed around it (notices, the summary, the HTML
 * report's path). The session's logic is lib/collect's.
 */
#ifndef CDOC_CLI_SESSION_H
#define CDOC_CLI_SESSION_H

#include <getopt.h>

#include "collect/collect.h"

/* Long-only options (getopt codes), common ones and run's own. */
enum {
	OPT_CG = 256,
	OPT_STACK,
	OPT_MMAP,
	OPT_PORT,
	OPT_NOHTML,
	OPT_FORCE,
	OPT_ALLOC,
	OPT_ALLOC_SAMPLE,
	OPT_ALLOC_MMAP,
	OPT_ALLOC_FP,
	OPT_HEAP_INTERVAL,
	OPT_NO_ALLOC,
	OPT_OPEN,
	OPT_PORT_WAIT,
	OPT_PUSH_INTERVAL,
	OPT_NO_OFFCPU,
	OPT_OFFCPU_EVERY,
};

/* The long options run and attach share (handled by cli_session_opt). */
#define CLI_SESSION_LONGOPTS                                                   \
	{"freq", required_argument, NULL, 'F'},                                \
	        {"event", required_argument, NULL, 'e'},                       \
	        {"call-graph", required_argument, NULL, OPT_CG},               \
	        {"stack-size", required_argument, NULL, OPT_STACK},            \
	        {"mmap-kib", required_argument, NULL, OPT_MMAP},               \
	        {"duration", required_argument, NULL, 'd'},                    \
	        {"output", required_argument, NULL, 'o'},                      \
	        {"no-html", no_argument, NULL, OPT_NOHTML},                    \
	        {"force", no_argument, NULL, OPT_FORCE},                       \
	        {"open", no_argument, NULL, OPT_OPEN},                         \
	        {"no-offcpu", no_argument, NULL, OPT_NO_OFFCPU},               \
	        {"offcpu-every", required_argument, NULL, OPT_OFFCPU_EVERY},   \
	{                                                                      \
		"help", no_argument, NULL, 'h'                                 \
	}

/* One common option of run and attach (@c the getopt code) into @o;
 * 0, or 2 after the usage error. */
int cli_session_opt(struct cdoc_collect_opts *o, const char *sub, int c,
                    const char *arg);

/*
 * The whole session: new, start, loop, finish; notices on stderr, a live
 * status line while it runs when stderr is a terminal, the --on-port
 * warning, then the summary, and the HTML report beside the recording
 * (unless !@o->html), opened with xdg-open after --open. Returns the exit status: the target's (with
 * @exit_with_target), else 0; 2 when cdoctor failed.
 */
int cli_session_run(struct cdoc_collect_opts *o, int exit_with_target);

/* When set, called with the recording after the summary (run --push). */
struct cdoc_recording;
extern void (*cli_session_done)(struct cdoc_recording *r);
/* When set, called once the session has started (run --push-interval);
 * a negative return (with a message) ends the session as a failure. */
extern int (*cli_session_started)(struct cdoc_collector *c);

#endif
