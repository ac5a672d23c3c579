/*
 * merge.c - cdoctor merge: many recordings (hosts, runs) summed into one.
 * Profiles add up by call path, counters add up, processes are listed,
 * META comes from the last input. Times of different runs share no
 * clock, so the merged recording has no time line (SAMPLES only) and no
 * metrics.
 */
#include "export/internal.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Counters summed over the inputs. */
struct sums {
	char **names;
	uint64_t *vals;
	size_t n, alloc;
};

static void add_counter(struct sums *s, const char *name, uint64_t v)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name)) {
			s->vals[i] += v;
			return;
		}
	CDOC_GROW(s->names, s->n + 1, s->alloc);
	s->vals = cdoc_realloc(s->vals, s->alloc * sizeof(uint64_t));
	s->names[s->n] = cdoc_strdup(name);
	s->vals[s->n++] = v;
}

/* Every self weight of @p as SAMPLES of profile @name. */
static int put_profile(struct cdoc_rec_writer *w, const char *name,
                       const struct cdoc_profile *p)
{
	uint32_t *stack = cdoc_malloc(p->nr_nodes * sizeof(uint32_t));
	uint32_t prof = cdoc_rec_str(w, name);
	size_t i;
	int ret = 0;

	stack[0] = CDOC_REC_ROOT;
	for (i = 1; i < p->nr_nodes && !ret; i++) {
		const struct cdoc_pnode *n = &p->nodes[i];

		/* Nodes are created after their parents: parent < i. */
		stack[i] = cdoc_rec_stack(
		        w, stack[n->parent],
		        cdoc_rec_string(w, cdoc_strtab_get(&p->names, n->name),
		                        cdoc_strtab_len(&p->names, n->name)));
		if (n->self[0])
			ret = cdoc_rec_sample(w, prof, 0, stack[i], n->self[0]);
	}
	free(stack);
	return ret;
}

static int put_one(struct cdoc_rec_writer *w, struct cdoc_recording *r,
                   struct sums *s)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < r->nr_profiles && !ret; i++)
		ret = put_profile(w, r->profiles[i].name, &r->profiles[i].prof);
	for (i = 0; i < r->nr_procs && !ret; i++) {
		const struct cdoc_rec_proc *p = &r->procs[i];

		ret = cdoc_rec_process(w, p->pid, p->ppid, p->name);
		if (!ret && p->exited)
			ret = cdoc_rec_exit(w, p->pid, p->status);
	}
	for (i = 0; i < r->nr_counters; i++)
		add_counter(s, r->counters[i].name, r->counters[i].value);
	return ret;
}

static int put_meta(struct cdoc_rec_writer *w, const struct cdoc_recording *r,
                    size_t n, uint64_t dur)
{
	char num[32];
	size_t i;
	int ret = 0;

	for (i = 0; i < r->nr_meta && !ret; i++)
		if (strcmp(r->meta[i].key, "duration_ns") &&
		    strcmp(r->meta[i].key, "target_pid"))
			ret = cdoc_rec_meta(w, r->meta[i].key,
			                    r->meta[i].value);
	snprintf(num, sizeof(num), "%zu", n);
	if (!ret)
		ret = cdoc_rec_meta(w, "merged_from", num);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)dur);
	return ret ? ret : cdoc_rec_meta(w, "duration_ns", num);
}

/* Refuse to overwrite an input with the output. */
static int check_paths(const char *const *paths, size_t n, const char *out)
{
	struct stat so, si;
	size_t i;

	if (stat(out, &so) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!strcmp(paths[i], out) ||
		    (!stat(paths[i], &si) && si.st_dev == so.st_dev &&
		     si.st_ino == so.st_ino))
			return cdoc_error(-EINVAL,
			                  "%s: output is one of the inputs",
			                  out);
	return 0;
}

static int merge_all(struct cdoc_rec_writer *w, const char *const *paths,
                     size_t n, struct sums *s)
{
	struct cdoc_recording r;
	uint64_t dur = 0;
	size_t i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		ret = cdoc_recording_load(&r, paths[i]);
		if (ret < 0)
			break;
		dur += export__duration_ns(&r);
		ret = put_one(w, &r, s);
		if (!ret && i == n - 1)
			ret = put_meta(w, &r, n, dur);
		cdoc_recording_release(&r);
	}
	for (i = 0; i < s->n && !ret; i++)
		ret = cdoc_rec_counter(w, s->names[i], s->vals[i]);
	return ret;
}

int cdoc_export_merge(const char *const *paths, size_t n, const char *out_path)
{
	struct cdoc_rec_writer w;
	struct sums s = {0};
	size_t i;
	int ret = check_paths(paths, n, out_path);

	if (!ret)
		ret = cdoc_rec_writer_open(&w, out_path);
	if (ret < 0)
		return ret;
	ret = merge_all(&w, paths, n, &s);
	if (ret < 0) {
		cdoc_rec_writer_abandon(&w);
		unlink(out_path); /* ours: created above */
	} else
		ret = cdoc_rec_writer_close(&w);
	for (i = 0; i < s.n; i++)
		free(s.names[i]);
	free(s.names);
	free(s.vals);
	return ret;
}
