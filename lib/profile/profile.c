/*
 * profile.c - the stack tree: nodes, adding samples, merging.
 */
#include "profile/profile.h"

#include <stdlib.h>
#include <string.h>

/* Weights saturate at UINT64_MAX rather than wrap around. */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint32_t new_node(struct cdoc_profile *p, uint32_t parent, uint32_t name)
{
	struct cdoc_pnode *n;
	uint32_t id = p->nr_nodes;

	CDOC_GROW(p->nodes, p->nr_nodes + 1, p->alloc_nodes);
	n = &p->nodes[p->nr_nodes++];
	memset(n, 0, sizeof(*n));
	n->parent = parent;
	n->name = name;
	n->first_child = n->next_sibling = CDOC_NONE;
	if (parent != CDOC_NONE) {
		struct cdoc_pnode *par = &p->nodes[parent];

		n->depth = par->depth + 1;
		n->next_sibling = par->first_child;
		par->first_child = id;
	}
	return id;
}

void cdoc_profile_init(struct cdoc_profile *p)
{
	memset(p, 0, sizeof(*p));
	cdoc_strtab_init(&p->names);
	cdoc_u64map_init(&p->children);
	p->columns = 1;
	new_node(p, CDOC_NONE, cdoc_strtab_intern(&p->names, "all", 3));
}

void cdoc_profile_release(struct cdoc_profile *p)
{
	cdoc_strtab_release(&p->names);
	cdoc_u64map_release(&p->children);
	free(p->nodes);
	memset(p, 0, sizeof(*p));
}

uint32_t cdoc_profile_child(struct cdoc_profile *p, uint32_t parent,
                            uint32_t name)
{
	uint64_t key = (uint64_t)(parent + 1) << 32 | name;
	uint32_t id;

	if (cdoc_u64map_get(&p->children, key, &id))
		return id;
	id = new_node(p, parent, name);
	cdoc_u64map_put(&p->children, key, id);
	return id;
}

void cdoc_profile_add(struct cdoc_profile *p, uint32_t node, int col,
                      uint64_t weight)
{
	if (col == 1 && p->columns < 2)
		p->columns = 2;
	p->nodes[node].self[col] = sat_add(p->nodes[node].self[col], weight);
	for (; node != CDOC_NONE; node = p->nodes[node].parent)
		p->nodes[node].total[col] =
		        sat_add(p->nodes[node].total[col], weight);
}

uint32_t cdoc_profile_add_stack(struct cdoc_profile *p, const uint32_t *names,
                                size_t n, int col, uint64_t weight)
{
	uint32_t node = 0;
	size_t i;

	for (i = 0; i < n; i++)
		node = cdoc_profile_child(p, node, names[i]);
	cdoc_profile_add(p, node, col, weight);
	return node;
}

void cdoc_profile_path(const struct cdoc_profile *p, uint32_t node,
                       struct cdoc_buf *out)
{
	uint32_t depth = p->nodes[node].depth, i, *chain;

	if (!depth)
		return;
	chain = cdoc_malloc(depth * sizeof(*chain));
	for (i = depth; i-- > 0; node = p->nodes[node].parent)
		chain[i] = node;
	for (i = 0; i < depth; i++) {
		uint32_t name = p->nodes[chain[i]].name;

		if (i)
			cdoc_buf_addch(out, ';');
		cdoc_buf_add(out, cdoc_strtab_get(&p->names, name),
		             cdoc_strtab_len(&p->names, name));
	}
	free(chain);
}

/* Name id in @dst of name @id in @src, through the lazily filled @map. */
static uint32_t map_name(struct cdoc_profile *dst,
                         const struct cdoc_profile *src, uint32_t *map,
                         uint32_t id)
{
	if (map[id] == CDOC_NONE)
		map[id] = cdoc_strtab_intern(&dst->names,
		                             cdoc_strtab_get(&src->names, id),
		                             cdoc_strtab_len(&src->names, id));
	return map[id];
}

/*
 * Copy the tree of @src into @dst, depth first with an explicit stack of
 * (src node, dst node) pairs: folded input can be arbitrarily deep.
 */
static void merge_tree(struct cdoc_profile *dst, int dcol,
                       const struct cdoc_profile *src, int scol, uint32_t *map)
{
	uint32_t *todo = NULL;
	size_t nr = 0, alloc = 0;

	CDOC_GROW(todo, 2, alloc);
	todo[nr++] = 0;
	todo[nr++] = 0;
	while (nr) {
		uint32_t d = todo[--nr], s = todo[--nr], c;

		for (c = src->nodes[s].first_child; c != CDOC_NONE;
		     c = src->nodes[c].next_sibling) {
			const struct cdoc_pnode *sn = &src->nodes[c];
			uint32_t dc;

			if (!sn->total[scol])
				continue;
			dc = cdoc_profile_child(
			        dst, d, map_name(dst, src, map, sn->name));
			dst->nodes[dc].self[dcol] = sat_add(
			        dst->nodes[dc].self[dcol], sn->self[scol]);
			dst->nodes[dc].total[dcol] = sat_add(
			        dst->nodes[dc].total[dcol], sn->total[scol]);
			CDOC_GROW(todo, nr + 2, alloc);
			todo[nr++] = c;
			todo[nr++] = dc;
		}
	}
	free(todo);
}

void cdoc_profile_merge(struct cdoc_profile *dst, int dst_col,
                        const struct cdoc_profile *src, int src_col)
{
	uint32_t *map = cdoc_malloc((src->names.nr + 1) * sizeof(*map));

	memset(map, 0xff, (src->names.nr + 1) * sizeof(*map));
	if (dst_col == 1 && dst->columns < 2)
		dst->columns = 2;
	dst->nodes[0].self[dst_col] = sat_add(dst->nodes[0].self[dst_col],
	                                      src->nodes[0].self[src_col]);
	dst->nodes[0].total[dst_col] = sat_add(dst->nodes[0].total[dst_col],
	                                       src->nodes[0].total[src_col]);
	merge_tree(dst, dst_col, src, src_col, map);
	free(map);
}
