/*
 * tui.h - the TUI's model (tuimodel.c), shared with tui.c and tested
 * without a terminal.
 */
#ifndef CDOC_REPORT_TUI_H
#define CDOC_REPORT_TUI_H

#include "report/internal.h"

/*
 * Append @w in human units: bytes as B/KiB/MiB/GiB, "samples" as time
 * (ms, s, min) when @hz (samples per second) is known or @unit is "ns",
 * else counts with k/M/G ("fds" adds " fds").
 */
void report__tui_units(struct cdoc_buf *b, uint64_t w, const char *unit,
                       double hz);

/*
 * The callers' tree of @p into @out (initialized here): each sample's
 * stack reversed, so the roots are the functions where time was spent and
 * their children are their callers. The caller releases @out.
 */
void report__tui_invert(const struct cdoc_profile *p, struct cdoc_profile *out);

/* The children of @node, heaviest first, into *@out (caller frees). */
size_t report__tui_children(const struct cdoc_profile *p, uint32_t node,
                            uint32_t **out);

/*
 * The visible rows of the tree (node ids in preorder, children heaviest
 * first) when the nodes with @open[node] set are expanded; *@rows is
 * allocated (caller frees). The root is row 0.
 */
size_t report__tui_rows(const struct cdoc_profile *p, const unsigned char *open,
                        uint32_t **rows);

/* Whether @name contains @pat (ASCII case ignored; "" matches nothing). */
int report__tui_contains(const char *name, const char *pat);

/* Whether the name of @node contains @pat (ASCII case ignored). */
int report__tui_match(const struct cdoc_profile *p, uint32_t node,
                      const char *pat);

/*
 * The next node after @from (@dir > 0) or before it (@dir < 0), wrapping,
 * whose name contains @pat and that has weight; CDOC_NONE when none.
 */
uint32_t report__tui_search(const struct cdoc_profile *p, uint32_t from,
                            const char *pat, int dir);

/* Expand every ancestor of @node so it is a visible row. */
void report__tui_reveal(const struct cdoc_profile *p, unsigned char *open,
                        uint32_t node);

/* One frame of the text flame graph: columns [x, x + w) on line depth. */
struct report_tui_frame {
	uint32_t node;
	int x, w, depth;
};

/*
 * Lay out the subtree of @base over @width columns, @maxdepth levels at
 * most; frames narrower than one column are left out. *@out is allocated
 * (caller frees); returns how many frames.
 */
size_t report__tui_flame(const struct cdoc_profile *p, uint32_t base, int width,
                         int maxdepth, struct report_tui_frame **out);

#endif
