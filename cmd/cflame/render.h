/*
 * render.h - what cflame's picture commands (svg, html, diff) share:
 * flamegraph.pl's long options and writing a rendered buffer out.
 */
#ifndef CFLAME_RENDER_H
#define CFLAME_RENDER_H

#include <getopt.h>

#include "base/base.h"
#include "flame/flame.h"

/* getopt_long values of the flamegraph.pl options start here. */
#define RENDER_OPT_BASE 1000

/* Help text for the flamegraph.pl options. */
extern const char render_opts_help[];

/*
 * A getopt_long table: @extra (terminated by a zero entry) followed by
 * flamegraph.pl's options. Static storage, valid until the next call.
 */
const struct option *render_opts(const struct option *extra);

/*
 * Apply option @c (>= RENDER_OPT_BASE) with @arg to @o. Returns 0, or 2
 * after printing the error for subcommand @sub.
 */
int render_opt(const char *sub, struct cdoc_flame_opts *o, int c,
               const char *arg);

#endif
