/*
 * profile.h - the stack model: an interned stack tree with 64-bit weights.
 *
 * Frame names are interned once in ->names; each distinct call path is one
 * node of a tree whose root (node 0) stands for "all". A node carries the
 * weight of samples that ended in it (self) and of all samples that passed
 * through it (total), in one column, or two for a differential profile
 * (column 0 = before, column 1 = after). Millions of samples with a few
 * thousand distinct stacks cost a few thousand nodes.
 *
 * Folded stacks ("root;child;leaf 42", optionally "... 42 57") load into
 * and write out of this model; cdoctor recordings feed it too.
 */
#ifndef CDOC_PROFILE_H
#define CDOC_PROFILE_H

#include "base/base.h"

#define CDOC_NONE UINT32_MAX

/* struct cdoc_pnode - one call path (the path from the root to here). */
struct cdoc_pnode {
	uint32_t parent;       /* parent node; CDOC_NONE for the root */
	uint32_t name;         /* frame name, an id in profile->names */
	uint32_t first_child;  /* CDOC_NONE when a leaf */
	uint32_t next_sibling; /* CDOC_NONE when last */
	uint32_t depth;        /* 0 for the root */
	uint64_t self[2];      /* weight of samples ending here, per column */
	uint64_t total[2];     /* weight of samples through here, per column */
};

/*
 * struct cdoc_profile - the tree. Owns everything; cdoc_profile_release()
 * frees it. Node ids are dense; node 0 is the root, named "all".
 */
struct cdoc_profile {
	struct cdoc_strtab names;     /* interned frame names */
	struct cdoc_pnode *nodes;     /* node id -> node */
	size_t nr_nodes, alloc_nodes; /* nodes used / allocated */
	struct cdoc_u64map children;  /* (parent + 1) << 32 | name -> node */
	int columns;                  /* 1, or 2 for a differential profile */
};

void cdoc_profile_init(struct cdoc_profile *p);
void cdoc_profile_release(struct cdoc_profile *p);

/* Intern a frame name (copies it); returns its id. */
static inline uint32_t cdoc_profile_name(struct cdoc_profile *p, const char *s,
                                         size_t len)
{
	return cdoc_strtab_intern(&p->names, s, len);
}

static inline const char *cdoc_profile_node_name(const struct cdoc_profile *p,
                                                 uint32_t node)
{
	return cdoc_strtab_get(&p->names, p->nodes[node].name);
}

/* The child of @parent named @name, created when missing. */
uint32_t cdoc_profile_child(struct cdoc_profile *p, uint32_t parent,
                            uint32_t name);

/* Add @weight in column @col to @node's self and to every ancestor's total. */
void cdoc_profile_add(struct cdoc_profile *p, uint32_t node, int col,
                      uint64_t weight);

/*
 * Add one sample: @names[0] is the outermost frame, @names[n-1] the leaf.
 * Returns the leaf node.
 */
uint32_t cdoc_profile_add_stack(struct cdoc_profile *p, const uint32_t *names,
                                size_t n, int col, uint64_t weight);

/* Flags for cdoc_profile_load_folded(). */
#define CDOC_FOLDED_COL1 0x1 /* put single-column counts in column 1 */

/*
 * Parse folded stacks from @in. Lines are "frame;frame;... COUNT" or,
 * for differential input, "... COUNT1 COUNT2" (which makes the profile
 * two-column). Blank lines are skipped. A malformed line fails with
 * -CDOC_EFORMAT and a message naming the file and line; the profile then
 * holds the lines before it.
 */
int cdoc_profile_load_folded(struct cdoc_profile *p,
                             const struct cdoc_input *in, unsigned flags);

/* One folded line, split. */
struct cdoc_folded_line {
	size_t stack_len;  /* bytes of the stack text at the line's start */
	uint64_t count[2]; /* the count, or both counts of a two-count line */
	int columns;       /* 1 or 2 */
};

/*
 * Split the line [@s, @e) (no newline) into its stack and its one or two
 * trailing counts ("N" or "N.M", rounded). 0, or -1 when the line does not
 * end in a count. Every folded reader goes through this, so all of them
 * read a line the same way.
 */
int cdoc_folded_parse_line(const char *s, const char *e,
                           struct cdoc_folded_line *out);

/* Does @data look like folded stacks (first non-blank line ends in a count)? */
int cdoc_folded_sniff(const char *data, size_t len);

/*
 * Append folded lines for every node with self weight to @out, sorted by
 * stack string in byte order (as stackcollapse-perf.pl prints them). Two
 * columns are written for a two-column profile.
 */
void cdoc_profile_write_folded(const struct cdoc_profile *p,
                               struct cdoc_buf *out);

/* Add every sample of @src, column @src_col, into @dst column @dst_col. */
void cdoc_profile_merge(struct cdoc_profile *dst, int dst_col,
                        const struct cdoc_profile *src, int src_col);

/* Options of cdoc_profile_diff(), after FlameGraph's difffolded.pl. */
struct cdoc_diff_opts {
	int normalize; /* -n: scale column 0 so both totals match */
	int strip_hex; /* -s: drop 0x... addresses from names before comparing */
};

/*
 * Build into @out (initialized, empty) a two-column profile: column 0 from
 * @a, column 1 from @b.
 */
void cdoc_profile_diff(struct cdoc_profile *out, const struct cdoc_profile *a,
                       const struct cdoc_profile *b,
                       const struct cdoc_diff_opts *opts);

/* One function in a top-N table. */
struct cdoc_top_entry {
	uint32_t name;  /* frame name id */
	uint64_t self;  /* weight with this function as the leaf */
	uint64_t total; /* weight of samples with it anywhere on the stack
			   (counted once per sample, even when recursive) */
};

/* Sort orders of cdoc_profile_top(). */
enum cdoc_top_order { CDOC_TOP_SELF, CDOC_TOP_TOTAL };

/*
 * Aggregate by function name over column @col and sort by @order
 * (ties by the other measure, then by name). Returns the number of
 * entries; *@out is allocated and the caller frees it.
 */
size_t cdoc_profile_top(const struct cdoc_profile *p, int col,
                        enum cdoc_top_order order, struct cdoc_top_entry **out);

/* Total weight of column @col (the root's total). */
static inline uint64_t cdoc_profile_total(const struct cdoc_profile *p, int col)
{
	return p->nodes[0].total[col];
}

/*
 * Write the name path of @node, root excluded, joined by ';' into @out
 * (appending).
 */
void cdoc_profile_path(const struct cdoc_profile *p, uint32_t node,
                       struct cdoc_buf *out);

#endif
