/*
 * maps.c - per-process address spaces: mappings fed from perf records or
 * read from /proc/PID/maps, with fork/exec/exit.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "symbol/internal.h"

struct cdoc_syms_proc *symbol__proc(struct cdoc_syms *s, uint32_t pid,
                                    int create)
{
	uint32_t idx;
	struct cdoc_syms_proc *p;

	if (cdoc_u64map_get(&s->pid_index, (uint64_t)pid + 1, &idx))
		return s->procs[idx];
	if (!create)
		return NULL;
	p = cdoc_calloc(1, sizeof(*p));
	p->pid = pid;
	p->jit_size = -1;
	CDOC_GROW(s->procs, s->nr_procs + 1, s->alloc_procs);
	s->procs[s->nr_procs] = p;
	cdoc_u64map_put(&s->pid_index, (uint64_t)pid + 1, s->nr_procs);
	s->nr_procs++;
	return p;
}

/* Forget the maps, JIT map and unwind state of @p (keeps @p itself). */
static void proc_clear(struct cdoc_syms *s, struct cdoc_syms_proc *p)
{
	if (p->unwind && s->unwind_free)
		s->unwind_free(p->unwind);
	p->unwind = NULL;
	free(p->maps);
	p->maps = NULL;
	p->nr_maps = p->alloc_maps = 0;
	cdoc_jitmap_release(&p->jit);
	p->jit_loaded = 0;
	p->jit_size = -1;
}

void symbol__proc_free(struct cdoc_syms *s, struct cdoc_syms_proc *p)
{
	proc_clear(s, p);
	free(p);
}

/* Index of the first map whose end is above @addr. */
static size_t first_above(const struct cdoc_syms_proc *p, uint64_t addr)
{
	return CDOC_UPPER_BOUND(p->maps, p->nr_maps, end, addr);
}

struct proc_map *symbol__find_map(struct cdoc_syms_proc *p, uint64_t addr)
{
	size_t i = first_above(p, addr);

	if (i < p->nr_maps && p->maps[i].start <= addr)
		return &p->maps[i];
	return NULL;
}

static void insert_at(struct cdoc_syms_proc *p, size_t i,
                      const struct proc_map *m)
{
	CDOC_GROW(p->maps, p->nr_maps + 1, p->alloc_maps);
	memmove(p->maps + i + 1, p->maps + i,
	        (p->nr_maps - i) * sizeof(*p->maps));
	p->maps[i] = *m;
	p->nr_maps++;
}

/* Remove [start, end) from @p's maps, trimming or splitting overlaps. */
static void punch_hole(struct cdoc_syms_proc *p, uint64_t start, uint64_t end)
{
	size_t i = first_above(p, start);

	while (i < p->nr_maps && p->maps[i].start < end) {
		struct proc_map *m = &p->maps[i];

		if (m->start < start && m->end > end) {
			struct proc_map tail = *m;

			tail.pgoff += end - m->start;
			tail.start = end;
			m->end = start;
			insert_at(p, i + 1, &tail);
			return;
		}
		if (m->start < start) {
			m->end = start;
			i++;
		} else if (m->end > end) {
			m->pgoff += end - m->start;
			m->start = end;
			return;
		} else {
			memmove(m, m + 1, (p->nr_maps - i - 1) * sizeof(*m));
			p->nr_maps--;
		}
	}
}

static int map_kind(const char *name)
{
	if (!strcmp(name, "[vdso]"))
		return PMAP_VDSO;
	if (!*name || !strcmp(name, "//anon") || !strncmp(name, "[anon", 5) ||
	    !strncmp(name, "/memfd:", 7))
		return PMAP_ANON;
	if (name[0] == '/' && !strstr(name, " (deleted)"))
		return PMAP_FILE;
	return PMAP_OTHER;
}

void cdoc_syms_mmap(struct cdoc_syms *s, uint32_t pid, uint64_t start,
                    uint64_t len, uint64_t pgoff, uint32_t prot,
                    const char *filename)
{
	struct cdoc_syms_proc *p = symbol__proc(s, pid, 1);
	struct proc_map m = {0};

	if (!len || start + len < start)
		return;
	m.start = start;
	m.end = start + len;
	m.pgoff = pgoff;
	m.prot = prot;
	m.name_id = symbol__intern(s, filename ? filename : "");
	m.kind = map_kind(filename ? filename : "");
	punch_hole(p, m.start, m.end);
	insert_at(p, first_above(p, m.start), &m);
	if (p->unwind && s->unwind_flush)
		s->unwind_flush(p->unwind);
}

void cdoc_syms_fork(struct cdoc_syms *s, uint32_t ppid, uint32_t pid)
{
	struct cdoc_syms_proc *parent, *child;

	if (ppid == pid)
		return;
	parent = symbol__proc(s, ppid, 0);
	child = symbol__proc(s, pid, 1);
	proc_clear(s, child);
	if (!parent || !parent->nr_maps)
		return;
	child->maps = cdoc_malloc(parent->nr_maps * sizeof(*child->maps));
	memcpy(child->maps, parent->maps,
	       parent->nr_maps * sizeof(*child->maps));
	child->nr_maps = child->alloc_maps = parent->nr_maps;
}

void cdoc_syms_exec(struct cdoc_syms *s, uint32_t pid)
{
	struct cdoc_syms_proc *p = symbol__proc(s, pid, 0);

	if (p)
		proc_clear(s, p);
}

void cdoc_syms_exit(struct cdoc_syms *s, uint32_t pid)
{
	cdoc_syms_exec(s, pid);
}

static uint32_t parse_prot(const char *perms)
{
	return (perms[0] == 'r' ? PROT_READ : 0) |
	       (perms[1] == 'w' ? PROT_WRITE : 0) |
	       (perms[2] == 'x' ? PROT_EXEC : 0);
}

/* One /proc/PID/maps line: "start-end perms off dev inode   path". */
static int parse_maps_line(struct cdoc_syms *s, uint32_t pid, char *line)
{
	uint64_t start, end, off;
	char perms[8];
	int pos = 0;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s %n",
	           &start, &end, perms, &off, &pos) < 4 ||
	    !pos || end <= start || strlen(perms) < 3)
		return -1;
	line[strcspn(line, "\n")] = 0;
	cdoc_syms_mmap(s, pid, start, end - start, off, parse_prot(perms),
	               line + pos);
	return 0;
}

int cdoc_syms_load_proc_maps(struct cdoc_syms *s, uint32_t pid)
{
	char path[64], *line = NULL;
	size_t cap = 0, lineno = 0;
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return cdoc_error(-errno, "cannot read %s: %s", path,
		                  strerror(errno));
	cdoc_syms_exec(s, pid);
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		if (parse_maps_line(s, pid, line) < 0) {
			ret = cdoc_error(-CDOC_EFORMAT,
			                 "%s:%zu: malformed line", path,
			                 lineno);
			break;
		}
	}
	free(line);
	fclose(f);
	return ret;
}

struct dso *symbol__map_dso(struct cdoc_syms *s, struct proc_map *m)
{
	if (m->kind != PMAP_FILE && m->kind != PMAP_VDSO)
		return NULL;
	if (!m->dso)
		m->dso = symbol__dso_get(s,
		                         cdoc_strtab_get(&s->strs, m->name_id));
	return m->dso->state > 0 ? m->dso : NULL;
}

/* Does segment @sg hold the page at file offset @pgoff? */
static int seg_has_page(const struct dso_seg *sg, uint64_t pgoff)
{
	return pgoff >= (sg->offset & ~0xfffULL) &&
	       pgoff < sg->offset + CDOC_MAX(sg->filesz, 1);
}

/*
 * runtime = start + (file offset - pgoff) and vaddr = file offset -
 * seg.offset + seg.vaddr, so bias = start - pgoff - (seg.vaddr -
 * seg.offset) for the segment mapped here. A page can hold the end of one
 * segment and the start of the next: prefer the one whose PF_X matches.
 */
int symbol__map_bias(const struct proc_map *m, uint64_t *bias)
{
	const struct dso *d = m->dso;
	const struct dso_seg *best = NULL;
	int i, exec = !!(m->prot & PROT_EXEC);

	if (!d || d->state <= 0)
		return -1;
	for (i = 0; i < d->nr_segs; i++) {
		const struct dso_seg *sg = &d->segs[i];

		if (!seg_has_page(sg, m->pgoff))
			continue;
		if (!best || (sg->exec == exec && best->exec != exec))
			best = sg;
	}
	if (!best)
		return -1;
	*bias = m->start - m->pgoff - (best->vaddr - best->offset);
	return 0;
}
