/*
 * pprof.c - a recording as pprof's profile.proto (gzipped), the format of
 * go tool pprof, Pyroscope, Parca and Grafana.
 *
 * A pprof profile has one sample per stack with one value per sample
 * type. cdoctor keeps one tree per quantity ("alloc_bytes",
 * "alloc_count", ...), so a group of trees is merged by call path into
 * one tree with a column per sample type. Frames are names, not
 * addresses: each distinct name is one function and one location; a
 * "module+0xoff" frame also gets a mapping for its module and its offset
 * as the location's address.
 */
#include "export/internal.h"

#include <errno.h>
#include <string.h>

/* profile.proto field numbers. */
enum {
	P_SAMPLE_TYPE = 1,
	P_SAMPLE = 2,
	P_MAPPING = 3,
	P_LOCATION = 4,
	P_FUNCTION = 5,
	P_STRING_TABLE = 6,
	P_TIME_NANOS = 9,
	P_DURATION_NANOS = 10,
	P_PERIOD_TYPE = 11,
	P_PERIOD = 12,
	P_COMMENT = 13,
	P_DEFAULT_SAMPLE_TYPE = 14,
	VT_TYPE = 1,
	VT_UNIT = 2,
	S_LOCATION_ID = 1,
	S_VALUE = 2,
	M_ID = 1,
	M_START = 2,
	M_LIMIT = 3,
	M_OFFSET = 4,
	M_FILENAME = 5,
	M_BUILD_ID = 6,
	M_HAS_FUNCTIONS = 7,
	M_HAS_FILENAMES = 8,
	M_HAS_LINE_NUMBERS = 9,
	L_ID = 1,
	L_MAPPING_ID = 2,
	L_ADDRESS = 3,
	L_LINE = 4,
	LN_FUNCTION_ID = 1,
	LN_LINE = 2,
	F_ID = 1,
	F_NAME = 2,
	F_SYSTEM_NAME = 3,
	F_FILENAME = 4,
	F_START_LINE = 5,
};

#define MAX_TYPES 4

/* One sample type: pprof's name and unit, and the tree it comes from. */
struct vtype {
	const char *type, *unit;
	const char *profile, *fallback; /* recording profile names */
	int times_period;               /* value = weight x period */
};

/* A group of sample types exported together (pprof's "profile"). */
struct group {
	const char *name;
	struct vtype v[MAX_TYPES];
	size_t n;
	const char *period_type, *period_unit;
};

static const struct group groups[] = {
        {"cpu",
         {{"samples", "count", "cpu", NULL, 0},
          {"cpu", "nanoseconds", "cpu", NULL, 1}},
         2,
         "cpu",
         "nanoseconds"},
        {"heap",
         {{"alloc_objects", "count", "alloc_count", NULL, 0},
          {"alloc_space", "bytes", "alloc_bytes", NULL, 0},
          {"inuse_objects", "count", "leaked_count", NULL, 0},
          {"inuse_space", "bytes", "live_bytes", "leaked_bytes", 0}},
         4,
         "space",
         "bytes"},
        {"leaks",
         {{"leaked_objects", "count", "leaked_count", NULL, 0},
          {"leaked_space", "bytes", "leaked_bytes", NULL, 0}},
         2,
         "space",
         "bytes"},
        {"offcpu",
         {{"offcpu", "nanoseconds", "offcpu_ns", NULL, 0}},
         1,
         "offcpu",
         "nanoseconds"},
};

/* The merged tree: one value column per sample type. */
struct merged {
	struct cdoc_profile tree;
	uint64_t *vals; /* node * nv + column */
	size_t nv, alloc;
};

/* The encoder's state. */
struct pp {
	struct cdoc_strtab strs; /* string table, "" is 0 */
	struct cdoc_u64map maps; /* module string id + 1 -> mapping id */
	struct cdoc_buf maps_out, locs_out, funcs_out;
	uint32_t nr_maps;
	const char *main; /* the command's executable: mapping 1 */
	size_t main_len;
	const struct cdoc_recording *r;
	const struct cdoc_rec_frame **fi; /* frame name id -> FRAMEINFO */
	uint32_t *mod_map; /* recording module -> mapping id (0: none yet) */
	uint32_t main_map; /* mapping id of the executable's module */
};

static uint64_t str(struct pp *pp, const char *s)
{
	return cdoc_strtab_intern(&pp->strs, s, strlen(s));
}

static uint64_t strn(struct pp *pp, const char *s, size_t len)
{
	return cdoc_strtab_intern(&pp->strs, s, len);
}

static void grow_vals(struct merged *m)
{
	size_t need = m->tree.nr_nodes * m->nv;

	if (need <= m->alloc)
		return;
	m->vals = cdoc_realloc(m->vals, need * 2 * sizeof(uint64_t));
	memset(m->vals + m->alloc, 0, (need * 2 - m->alloc) * sizeof(uint64_t));
	m->alloc = need * 2;
}

/* Add the self weights of @src (x @scale) to column @col of @m. */
static void merge_into(struct merged *m, const struct cdoc_profile *src,
                       size_t col, uint64_t scale)
{
	uint32_t *map = cdoc_malloc(src->nr_nodes * sizeof(uint32_t));
	size_t i;

	map[0] = 0;
	for (i = 1; i < src->nr_nodes; i++) {
		const struct cdoc_pnode *n = &src->nodes[i];
		uint32_t name = cdoc_profile_name(
		        &m->tree, cdoc_strtab_get(&src->names, n->name),
		        cdoc_strtab_len(&src->names, n->name));

		/* Nodes are created after their parents: parent < i. */
		map[i] = cdoc_profile_child(&m->tree, map[n->parent], name);
		grow_vals(m);
		m->vals[map[i] * m->nv + col] += n->self[0] * scale;
	}
	free(map);
}

static struct cdoc_profile *weighted(struct cdoc_recording *r, const char *n)
{
	struct cdoc_profile *p = n ? cdoc_recording_profile(r, n) : NULL;

	return p && cdoc_profile_total(p, 0) ? p : NULL;
}

/* Fill @m from the trees of group @g; 0 when none of them has weight. */
static size_t merge_group(struct cdoc_recording *r, const struct group *g,
                          struct merged *m)
{
	uint64_t period = export__sample_period_ns(r);
	size_t j, found = 0;

	m->nv = g->n;
	for (j = 0; j < g->n; j++) {
		const struct vtype *v = &g->v[j];
		struct cdoc_profile *p = weighted(r, v->profile);

		if (!p)
			p = weighted(r, v->fallback);
		if (!p)
			continue;
		merge_into(m, p, j, v->times_period && period ? period : 1);
		found++;
	}
	return found;
}

static const char *unit_of(const char *name)
{
	size_t n = strlen(name);

	if (n > 6 && !strcmp(name + n - 6, "_bytes"))
		return "bytes";
	if (n > 3 && !strcmp(name + n - 3, "_ns"))
		return "nanoseconds";
	return "count";
}

/* The group named @kind, or a one-type group for profile @kind. */
static const struct group *find_group(const char *kind, struct group *one)
{
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(groups); i++)
		if (!strcmp(groups[i].name, kind))
			return &groups[i];
	memset(one, 0, sizeof(*one));
	one->name = kind;
	one->n = 1;
	one->v[0].type = kind;
	one->v[0].unit = unit_of(kind);
	one->v[0].profile = kind;
	one->period_type = kind;
	one->period_unit = one->v[0].unit;
	return one;
}

static void put_vtype(struct pp *pp, struct cdoc_buf *out, uint32_t field,
                      const char *type, const char *unit)
{
	struct cdoc_buf b = CDOC_BUF_INIT;

	export__pb_u64(&b, VT_TYPE, str(pp, type));
	export__pb_u64(&b, VT_UNIT, str(pp, unit));
	export__pb_bytes(out, field, b.buf, b.len);
	cdoc_buf_release(&b);
}

/* "module+0xhex": the length of "module", or 0 when @s is not so. */
static size_t module_len(const char *s, size_t len)
{
	const char *plus = NULL, *p;

	for (p = s; p + 3 <= s + len; p++)
		if (p[0] == '+' && p[1] == '0' && p[2] == 'x')
			plus = p;
	if (!plus || plus == s || plus + 3 == s + len)
		return 0;
	for (p = plus + 3; p < s + len; p++)
		if (!strchr("0123456789abcdefABCDEF", *p))
			return 0;
	return (size_t)(plus - s);
}

static uint64_t mapping_of(struct pp *pp, const char *mod, size_t len)
{
	uint64_t sid = strn(pp, mod, len);
	struct cdoc_buf b = CDOC_BUF_INIT;
	uint32_t id;

	if (cdoc_u64map_get(&pp->maps, sid + 1, &id))
		return id;
	id = ++pp->nr_maps;
	cdoc_u64map_put(&pp->maps, sid + 1, id);
	export__pb_u64(&b, M_ID, id);
	export__pb_u64(&b, M_START, 0);
	export__pb_u64(&b, M_LIMIT, UINT64_C(1) << 47);
	export__pb_u64(&b, M_FILENAME, sid);
	export__pb_u64(&b, M_HAS_FUNCTIONS, 1);
	export__pb_bytes(&pp->maps_out, P_MAPPING, b.buf, b.len);
	cdoc_buf_release(&b);
	return id;
}

/* The mapping of recording module @mi (path, range, build-id). */
static uint32_t module_mapping(struct pp *pp, uint32_t mi)
{
	const struct cdoc_rec_module *mod = &pp->r->modules[mi];
	struct cdoc_buf b = CDOC_BUF_INIT;
	uint32_t id;

	if (pp->mod_map[mi])
		return pp->mod_map[mi];
	id = pp->mod_map[mi] = ++pp->nr_maps;
	export__pb_u64(&b, M_ID, id);
	export__pb_u64(&b, M_START, mod->start);
	export__pb_u64(&b, M_LIMIT, mod->end);
	export__pb_u64(&b, M_FILENAME, str(pp, mod->path));
	if (*mod->build_id)
		export__pb_u64(&b, M_BUILD_ID, str(pp, mod->build_id));
	export__pb_u64(&b, M_HAS_FUNCTIONS, 1);
	export__pb_u64(&b, M_HAS_FILENAMES, 1);
	export__pb_u64(&b, M_HAS_LINE_NUMBERS, 1);
	export__pb_bytes(&pp->maps_out, P_MAPPING, b.buf, b.len);
	cdoc_buf_release(&b);
	return id;
}

/* FRAMEINFO by frame name of @t (names without any stay NULL). */
static void frame_infos(struct pp *pp, const struct cdoc_strtab *t)
{
	const struct cdoc_recording *r = pp->r;
	size_t i;

	pp->fi = cdoc_calloc(t->nr + 1, sizeof(*pp->fi));
	for (i = 0; i < r->nr_frames && i < r->nr_strs; i++) {
		int64_t id;

		if (!r->frames[i].module && !r->frames[i].file)
			continue;
		id = cdoc_strtab_find(t, r->strs[i], r->str_lens[i]);
		if (id >= 0)
			pp->fi[id] = &r->frames[i];
	}
}

/* One function and one location for frame name @id of @t. */
static void put_frame(struct pp *pp, const struct cdoc_strtab *t, uint32_t id)
{
	const char *s = cdoc_strtab_get(t, id);
	size_t len = cdoc_strtab_len(t, id), mod = module_len(s, len);
	struct cdoc_buf b = CDOC_BUF_INIT, line = CDOC_BUF_INIT;
	uint64_t name = strn(pp, s, len);
	const struct cdoc_rec_frame *fi = pp->fi[id];

	export__pb_u64(&b, F_ID, id + 1);
	export__pb_u64(&b, F_NAME, name);
	export__pb_u64(&b, F_SYSTEM_NAME, name);
	if (fi && fi->file) {
		export__pb_u64(&b, F_FILENAME, str(pp, fi->file));
		export__pb_u64(&b, F_START_LINE, fi->line);
	}
	export__pb_bytes(&pp->funcs_out, P_FUNCTION, b.buf, b.len);
	cdoc_buf_reset(&b);
	export__pb_u64(&line, LN_FUNCTION_ID, id + 1);
	if (fi && fi->file)
		export__pb_u64(&line, LN_LINE, fi->line);
	export__pb_u64(&b, L_ID, id + 1);
	if (fi && fi->module) {
		export__pb_u64(&b, L_MAPPING_ID,
		               module_mapping(pp, fi->module - 1));
	} else if (mod) {
		export__pb_u64(&b, L_MAPPING_ID, mapping_of(pp, s, mod));
		export__pb_u64(&b, L_ADDRESS, strtoull(s + mod + 3, NULL, 16));
	} else if (pp->main_map) {
		export__pb_u64(&b, L_MAPPING_ID, pp->main_map);
	} else if (pp->main) {
		export__pb_u64(&b, L_MAPPING_ID,
		               mapping_of(pp, pp->main, pp->main_len));
	}
	export__pb_bytes(&b, L_LINE, line.buf, line.len);
	export__pb_bytes(&pp->locs_out, P_LOCATION, b.buf, b.len);
	cdoc_buf_release(&b);
	cdoc_buf_release(&line);
}

/* Samples: every node with a value, its locations leaf first. */
static void put_samples(struct merged *m, struct cdoc_buf *out)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	uint64_t *locs = NULL;
	size_t i, j, alloc = 0;

	for (i = 1; i < m->tree.nr_nodes; i++) {
		const uint64_t *v = m->vals + i * m->nv;
		uint32_t n = i, d = 0;

		for (j = 0; j < m->nv && !v[j]; j++)
			;
		if (j == m->nv)
			continue;
		CDOC_GROW(locs, m->tree.nodes[i].depth, alloc);
		for (; n; n = m->tree.nodes[n].parent)
			locs[d++] = m->tree.nodes[n].name + 1;
		cdoc_buf_reset(&b);
		export__pb_packed(&b, S_LOCATION_ID, locs, d);
		export__pb_packed(&b, S_VALUE, v, m->nv);
		export__pb_bytes(out, P_SAMPLE, b.buf, b.len);
	}
	free(locs);
	cdoc_buf_release(&b);
}

/* Mapping 1 is the command's executable, as pprof expects. */
static void main_mapping(struct pp *pp, const struct cdoc_recording *r)
{
	const char *cmd = cdoc_recording_meta(r, "command");

	const char *base, *end;
	size_t i;

	if (!cmd || !*cmd)
		return;
	pp->main = cmd;
	pp->main_len = strchrnul(cmd, ' ') - cmd;
	end = cmd + pp->main_len;
	for (base = end; base > cmd && base[-1] != '/'; base--)
		;
	for (i = 0; i < r->nr_modules; i++) {
		const char *path = r->modules[i].path;
		size_t n = strlen(path), bl = (size_t)(end - base);

		if (n > bl && path[n - bl - 1] == '/' &&
		    !memcmp(path + n - bl, base, bl)) {
			pp->main_map = module_mapping(pp, (uint32_t)i);
			return;
		}
	}
	mapping_of(pp, pp->main, pp->main_len);
}

static void put_header(struct pp *pp, struct cdoc_recording *r,
                       const struct group *g, struct cdoc_buf *out)
{
	const char *cmd = cdoc_recording_meta(r, "command");
	uint64_t period = export__sample_period_ns(r);
	size_t j;

	for (j = 0; j < g->n; j++)
		put_vtype(pp, out, P_SAMPLE_TYPE, g->v[j].type, g->v[j].unit);
	export__pb_u64(out, P_TIME_NANOS,
	               export__start_epoch_s(r) * 1000000000ull);
	export__pb_u64(out, P_DURATION_NANOS, export__duration_ns(r));
	put_vtype(pp, out, P_PERIOD_TYPE, g->period_type, g->period_unit);
	export__pb_u64(out, P_PERIOD,
	               !strcmp(g->name, "cpu") && period ? period : 1);
	if (cmd)
		export__pb_u64(out, P_COMMENT, str(pp, cmd));
	export__pb_u64(out, P_DEFAULT_SAMPLE_TYPE,
	               str(pp, g->v[g->n - 1].type));
}

static void put_body(struct pp *pp, struct merged *m, struct cdoc_buf *out)
{
	uint8_t *used = cdoc_calloc(m->tree.names.nr + 1, 1);
	size_t i;

	put_samples(m, out);
	frame_infos(pp, &m->tree.names);
	for (i = 1; i < m->tree.nr_nodes; i++)
		used[m->tree.nodes[i].name] = 1;
	for (i = 0; i < m->tree.names.nr; i++)
		if (used[i])
			put_frame(pp, &m->tree.names, (uint32_t)i);
	export__add_buf(out, &pp->maps_out);
	export__add_buf(out, &pp->locs_out);
	export__add_buf(out, &pp->funcs_out);
	for (i = 0; i < pp->strs.nr; i++)
		export__pb_bytes(out, P_STRING_TABLE,
		                 cdoc_strtab_get(&pp->strs, i),
		                 cdoc_strtab_len(&pp->strs, i));
	free(used);
	free(pp->fi);
}

int cdoc_export_pprof_raw(struct cdoc_recording *r, const char *kind,
                          struct cdoc_buf *out)
{
	struct merged m = {0};
	struct pp pp = {0};
	struct group one;
	const struct group *g = find_group(kind, &one);
	int ret = 0;

	cdoc_profile_init(&m.tree);
	if (!merge_group(r, g, &m)) {
		ret = export__no_profile(r, kind);
		goto out;
	}
	cdoc_strtab_init(&pp.strs);
	cdoc_u64map_init(&pp.maps);
	str(&pp, ""); /* string_table[0] must be "" */
	pp.r = r;
	pp.mod_map = cdoc_calloc(r->nr_modules + 1, sizeof(*pp.mod_map));
	main_mapping(&pp, r);
	put_header(&pp, r, g, out);
	put_body(&pp, &m, out);
	cdoc_strtab_release(&pp.strs);
	cdoc_u64map_release(&pp.maps);
	free(pp.mod_map);
	cdoc_buf_release(&pp.maps_out);
	cdoc_buf_release(&pp.locs_out);
	cdoc_buf_release(&pp.funcs_out);
out:
	cdoc_profile_release(&m.tree);
	free(m.vals);
	return ret;
}

int cdoc_export_pprof(struct cdoc_recording *r, const char *kind,
                      struct cdoc_buf *out)
{
	struct cdoc_buf raw = CDOC_BUF_INIT;
	int ret = cdoc_export_pprof_raw(r, kind, &raw);

	if (!ret)
		ret = export__gzip_buf(raw.buf, raw.len, out);
	cdoc_buf_release(&raw);
	return ret;
}
