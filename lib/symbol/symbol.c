/*
 * symbol.c - struct cdoc_syms: resolve an address to function, module and
 * offset; demangle; format as a folded-stack frame.
 */
#include <errno.h>
#include <fcntl.h>
#include <libiberty/demangle.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbol/internal.h"

uint32_t symbol__intern(struct cdoc_syms *s, const char *str)
{
	return cdoc_strtab_intern(&s->strs, str, strlen(str));
}

int cdoc_syms_new(struct cdoc_syms **out)
{
	struct cdoc_syms *s = cdoc_calloc(1, sizeof(*s));

	cdoc_strtab_init(&s->strs);
	cdoc_u64map_init(&s->pid_index);
	cdoc_u64map_init(&s->dso_index);
	cdoc_buf_init(&s->tmp);
	s->kmodule_id = symbol__intern(s, "[kernel.kallsyms]");
	s->unknown_id = symbol__intern(s, "[unknown]");
	*out = s;
	return 0;
}

void cdoc_syms_free(struct cdoc_syms *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nr_procs; i++)
		symbol__proc_free(s, s->procs[i]);
	free(s->procs);
	for (i = 0; i < s->nr_dsos; i++)
		symbol__dso_free(s->dsos[i]);
	free(s->dsos);
	symbol__ksyms_release(s);
	cdoc_u64map_release(&s->pid_index);
	cdoc_u64map_release(&s->dso_index);
	cdoc_strtab_release(&s->strs);
	cdoc_buf_release(&s->tmp);
	free(s);
}

int cdoc_symbol_demangle(const char *name, struct cdoc_buf *out)
{
	char *d = NULL;

	if (name[0] == '_' && (name[1] == 'Z' || name[1] == 'R'))
		d = cplus_demangle(name, DMGL_ANSI | DMGL_AUTO);
	if (!d) {
		cdoc_buf_addstr(out, name);
		return 0;
	}
	cdoc_buf_addstr(out, d);
	free(d);
	return 1;
}

/* The demangled name of @sym, interned once. */
static const char *sym_name(struct cdoc_syms *s, struct dso_sym *sym)
{
	if (!sym->name_id) {
		cdoc_buf_reset(&s->tmp);
		cdoc_symbol_demangle(sym->raw, &s->tmp);
		sym->name_id =
		        cdoc_strtab_intern(&s->strs, s->tmp.buf, s->tmp.len) +
		        1;
	}
	return cdoc_strtab_get(&s->strs, sym->name_id - 1);
}

/*
 * Whether a JIT map owned by @uid may name the functions of process @pid:
 * only its owner's, root's or our own (as perf decides), since anyone can
 * write /tmp/perf-PID.map for a pid they can guess.
 */
static int jit_owner_ok(uint32_t pid, uid_t uid)
{
	char proc[32];
	struct stat st;

	if (uid == 0 || uid == geteuid())
		return 1;
	snprintf(proc, sizeof(proc), "/proc/%u", pid);
	return stat(proc, &st) == 0 && st.st_uid == uid;
}

static void jit_reload(struct cdoc_syms *s, struct cdoc_syms_proc *p)
{
	struct cdoc_buf data = CDOC_BUF_INIT;
	char path[64];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/tmp/perf-%u.map", p->pid);
	/* No links, no FIFOs that would block, and read, not mapped: the
	 * file may be truncated while we parse it. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (st.st_size == p->jit_size &&
	     st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec ==
	             p->jit_mtime_ns)) {
		close(fd);
		return;
	}
	if (!jit_owner_ok(p->pid, st.st_uid)) {
		s->stats.jit_rejected++;
		close(fd);
		return;
	}
	if (cdoc_read_fd(fd, &data) == 0) {
		cdoc_jitmap_release(&p->jit);
		s->stats.jit_bad_lines += cdoc_jitmap_parse_lenient(
		        &p->jit, data.buf ? data.buf : "", data.len);
		cdoc_jitmap_sort(&p->jit);
		if (p->jit_loaded)
			s->stats.jit_reloads++;
		p->jit_loaded = 1;
		p->jit_size = st.st_size;
		p->jit_mtime_ns =
		        st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	}
	cdoc_buf_release(&data);
	close(fd);
}

/* V8 code kinds whose tier marker is dropped; the first three are "JS:". */
static const char *const v8_kinds[] = {"JS", "LazyCompile", "Function", "Eval",
                                       "Script"};

int cdoc_symbol_jit_name(const char *raw, struct cdoc_buf *out)
{
	const char *colon = strchr(raw, ':');
	size_t i, klen = colon ? (size_t)(colon - raw) : 0;

	for (i = 0; colon && i < CDOC_ARRAY_SIZE(v8_kinds); i++) {
		if (strlen(v8_kinds[i]) != klen ||
		    memcmp(raw, v8_kinds[i], klen))
			continue;
		if (!colon[1] || !strchr("*~^+", colon[1]))
			break;
		cdoc_buf_addstr(out, i < 3 ? "JS" : v8_kinds[i]);
		cdoc_buf_addch(out, ':');
		cdoc_buf_addstr(out, colon + 2);
		return 1;
	}
	cdoc_buf_addstr(out, raw);
	return 0;
}

/* Look @addr up in @p's JIT map, re-reading the file once if it changed. */
static int resolve_jit(struct cdoc_syms *s, struct cdoc_syms_proc *p,
                       uint64_t addr, struct cdoc_symbol *out)
{
	const struct cdoc_jit_entry *e = cdoc_jitmap_find(&p->jit, addr);

	if (!e) {
		jit_reload(s, p);
		e = cdoc_jitmap_find(&p->jit, addr);
	}
	if (!e)
		return 0;
	cdoc_buf_reset(&s->tmp);
	cdoc_symbol_jit_name(e->name, &s->tmp);
	out->name = cdoc_strtab_get(
	        &s->strs, cdoc_strtab_intern(&s->strs, s->tmp.buf, s->tmp.len));
	out->sym_off = addr - e->start;
	out->kind = CDOC_SYM_JIT;
	return 1;
}

static int resolve_file(struct cdoc_syms *s, struct proc_map *m, uint64_t addr,
                        struct cdoc_symbol *out)
{
	struct dso *d = symbol__map_dso(s, m);
	struct dso_sym *sym;
	uint64_t vaddr, bias;

	out->offset = addr - m->start + m->pgoff;
	if (!d)
		return 0;
	if (!symbol__map_bias(m, &bias))
		vaddr = addr - bias;
	else
		symbol__dso_off_to_vaddr(d, out->offset, &vaddr);
	out->offset = vaddr;
	if (d->build_id_len) {
		out->build_id = d->build_id;
		out->build_id_len = d->build_id_len;
	}
	if (!s->no_lines)
		symbol__dso_srcline(d, out->module, vaddr, &out->file,
		                    &out->line);
	sym = (struct dso_sym *)symbol__dso_find_sym(d, vaddr);
	if (!sym)
		return 0;
	out->name = sym_name(s, sym);
	out->sym_off = vaddr - sym->start;
	return 1;
}

static int resolve_user(struct cdoc_syms *s, uint32_t pid, uint64_t addr,
                        struct cdoc_symbol *out)
{
	struct cdoc_syms_proc *p = symbol__proc(s, pid, 1);
	struct proc_map *m = symbol__find_map(p, addr);

	if (!m) {
		s->stats.no_map++;
		out->offset = addr;
		return resolve_jit(s, p, addr, out);
	}
	out->module = cdoc_strtab_get(&s->strs, m->name_id);
	out->map_start = m->start;
	out->map_end = m->end;
	if (m->kind == PMAP_FILE || m->kind == PMAP_VDSO)
		return resolve_file(s, m, addr, out);
	out->offset = addr - m->start;
	if (m->kind == PMAP_ANON || !*out->module)
		out->module = cdoc_strtab_get(&s->strs, s->unknown_id);
	return resolve_jit(s, p, addr, out);
}

int cdoc_syms_resolve(struct cdoc_syms *s, uint32_t pid, uint64_t addr,
                      int kernel, struct cdoc_symbol *out)
{
	uint32_t id;
	int found;

	memset(out, 0, sizeof(*out));
	out->module = cdoc_strtab_get(&s->strs, s->unknown_id);
	out->kind = kernel ? CDOC_SYM_KERNEL : CDOC_SYM_USER;
	if (kernel) {
		out->module = cdoc_strtab_get(&s->strs, s->kmodule_id);
		out->offset = addr;
		found = symbol__ksyms_find(s, addr, &id);
		if (found)
			out->name = cdoc_strtab_get(&s->strs, id);
	} else {
		found = resolve_user(s, pid, addr, out);
	}
	if (found)
		s->stats.resolved++;
	else
		s->stats.unresolved++;
	return found;
}

/* Append a frame name the way stackcollapse-perf.pl tidies it. */
static void add_tidy(struct cdoc_buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\'')
			continue;
		cdoc_buf_addch(out, *s == ';' ? ':' : *s == '\n' ? ' ' : *s);
	}
}

void cdoc_symbol_format(const struct cdoc_symbol *sym, struct cdoc_buf *out)
{
	if (sym->name) {
		add_tidy(out, sym->name);
	} else {
		const char *slash = strrchr(sym->module, '/');

		add_tidy(out, slash && slash[1] ? slash + 1 : sym->module);
		if (strcmp(sym->module, "[unknown]")) {
			cdoc_buf_addstr(out, "+0x");
			cdoc_buf_addf(out, "%llx",
			              (unsigned long long)sym->offset);
		}
	}
	if (sym->kind == CDOC_SYM_KERNEL)
		cdoc_buf_addstr(out, "_[k]");
	else if (sym->kind == CDOC_SYM_JIT)
		cdoc_buf_addstr(out, "_[j]");
}

void cdoc_syms_set_lines(struct cdoc_syms *s, int on)
{
	s->no_lines = !on;
}

void cdoc_syms_get_stats(const struct cdoc_syms *s, struct cdoc_syms_stats *out)
{
	*out = s->stats;
}
