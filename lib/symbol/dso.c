/*
 * dso.c - ELF files: load segments, unwind table location, build-id and
 * function symbols (from .symtab, a separate debug file, or .dynsym), once
 * per path per struct cdoc_syms.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbol/internal.h"

static const uint8_t *map_file(const char *path, size_t *len)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 64) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	*len = st.st_size;
	return p;
}

static Elf *open_elf(const uint8_t *image, size_t len)
{
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	e = elf_memory((char *)image, len);
	if (e && elf_kind(e) != ELF_K_ELF) {
		elf_end(e);
		return NULL;
	}
	return e;
}

static void read_build_id(struct dso *d, Elf *e, const GElf_Phdr *ph)
{
	Elf_Data *data;
	GElf_Nhdr nh;
	size_t off = 0, name_off, desc_off;

	data = elf_getdata_rawchunk(e, ph->p_offset, ph->p_filesz, ELF_T_NHDR);
	if (!data)
		return;
	while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
		    memcmp((char *)data->d_buf + name_off, "GNU", 4))
			continue;
		if (nh.n_descsz > sizeof(d->build_id))
			return;
		memcpy(d->build_id, (char *)data->d_buf + desc_off,
		       nh.n_descsz);
		d->build_id_len = nh.n_descsz;
		return;
	}
}

static int read_phdrs(struct dso *d, Elf *e)
{
	GElf_Ehdr eh;
	GElf_Phdr ph;
	size_t i, n;

	if (!gelf_getehdr(e, &eh) || elf_getphdrnum(e, &n) < 0)
		return -1;
	d->elf_type = eh.e_type;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(e, i, &ph))
			continue;
		if (ph.p_type == PT_LOAD && d->nr_segs < DSO_MAX_SEGS) {
			struct dso_seg *sg = &d->segs[d->nr_segs++];

			sg->vaddr = ph.p_vaddr;
			sg->memsz = ph.p_memsz;
			sg->offset = ph.p_offset;
			sg->filesz = ph.p_filesz;
			sg->exec = !!(ph.p_flags & PF_X);
		} else if (ph.p_type == PT_GNU_EH_FRAME) {
			d->eh_hdr_vaddr = ph.p_vaddr;
			d->eh_hdr_len = ph.p_memsz;
		} else if (ph.p_type == PT_NOTE && !d->build_id_len) {
			read_build_id(d, e, &ph);
		}
	}
	return d->nr_segs ? 0 : -1;
}

/* Is section @ndx of @e code? (For untyped labels such as ld.so's _start.) */
static int is_code_section(Elf *e, size_t ndx)
{
	Elf_Scn *scn = elf_getscn(e, ndx);
	GElf_Shdr sh;

	return scn && gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_EXECINSTR);
}

static int is_func(Elf *e, const GElf_Sym *sym, const char *name)
{
	int type = GELF_ST_TYPE(sym->st_info);

	if (sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE ||
	    sym->st_value == 0)
		return 0;
	if (type == STT_FUNC || type == STT_GNU_IFUNC)
		return 1;
	return type == STT_NOTYPE && name[0] != '.' && name[0] != '$' &&
	       is_code_section(e, sym->st_shndx);
}

/* Append the function symbols of one symbol table section. */
static void add_symtab(struct dso *d, Elf *e, Elf_Scn *scn, const GElf_Shdr *sh,
                       size_t *alloc)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, n;
	GElf_Sym sym;

	if (!data || !sh->sh_entsize)
		return;
	n = sh->sh_size / sh->sh_entsize;
	for (i = 1; i < n; i++) {
		const char *name;

		if (!gelf_getsym(data, i, &sym))
			continue;
		name = elf_strptr(e, sh->sh_link, sym.st_name);
		if (!name || !*name || !is_func(e, &sym, name))
			continue;
		CDOC_GROW(d->syms, d->nr_syms + 1, *alloc);
		d->syms[d->nr_syms].start = sym.st_value;
		d->syms[d->nr_syms].size = sym.st_size;
		d->syms[d->nr_syms].raw = name;
		/* sort key until finish_syms(): binding, untyped last */
		d->syms[d->nr_syms].name_id =
		        GELF_ST_BIND(sym.st_info) |
		        (GELF_ST_TYPE(sym.st_info) == STT_NOTYPE) << 4;
		d->nr_syms++;
	}
}

/* Add every section of @type from @e; returns how many were found. */
static int add_symtabs(struct dso *d, Elf *e, uint32_t type, size_t *alloc)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int found = 0;

	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type)
			continue;
		add_symtab(d, e, scn, &sh, alloc);
		found++;
	}
	return found;
}

static int bind_rank(uint32_t key)
{
	uint32_t bind = key & 0xf;

	return (key >> 4) * 3 + (bind == STB_GLOBAL ? 0
	                         : bind == STB_WEAK ? 1
	                                            : 2);
}

static int leading_underscores(const char *s)
{
	int n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

/*
 * Order by start; among aliases of one address the best name comes first
 * (as perf chooses): sized, typed (FUNC) over untyped code labels, global
 * over weak over local, fewer leading underscores, shorter.
 */
static int sym_cmp(const void *a, const void *b)
{
	const struct dso_sym *x = a, *y = b;
	int d;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (!x->size != !y->size)
		return x->size ? -1 : 1;
	d = bind_rank(x->name_id) - bind_rank(y->name_id);
	if (d)
		return d;
	d = leading_underscores(x->raw) - leading_underscores(y->raw);
	if (d)
		return d;
	d = (int)strlen(x->raw) - (int)strlen(y->raw);
	return d ? d : strcmp(x->raw, y->raw);
}

static uint64_t seg_end_of(const struct dso *d, uint64_t vaddr)
{
	int i;

	for (i = 0; i < d->nr_segs; i++)
		if (vaddr >= d->segs[i].vaddr &&
		    vaddr < d->segs[i].vaddr + d->segs[i].memsz)
			return d->segs[i].vaddr + d->segs[i].memsz;
	return vaddr + 1;
}

/* Sort, drop duplicate addresses, give sizeless symbols a size. */
static void finish_syms(struct dso *d)
{
	size_t i, n = 0;

	if (!d->nr_syms)
		return;
	cdoc_sort(d->syms, d->nr_syms, sizeof(*d->syms), sym_cmp);
	for (i = 0; i < d->nr_syms; i++) {
		if (n && d->syms[n - 1].start == d->syms[i].start)
			continue;
		d->syms[n] = d->syms[i];
		d->syms[n++].name_id = 0;
	}
	d->nr_syms = n;
	for (i = 0; i < n; i++) {
		uint64_t limit = i + 1 < n ? d->syms[i + 1].start
		                           : seg_end_of(d, d->syms[i].start);

		if (!d->syms[i].size && limit > d->syms[i].start)
			d->syms[i].size = limit - d->syms[i].start;
	}
}

static char *hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = 0;
	return out;
}

static int try_debug_file(struct dso *d, const char *path)
{
	size_t len;
	const uint8_t *img = map_file(path, &len);
	Elf *e;

	if (!img)
		return -1;
	e = open_elf(img, len);
	if (!e) {
		munmap((void *)img, len);
		return -1;
	}
	d->dbg_image = img;
	d->dbg_len = len;
	d->dbg_elf = e;
	d->dbg_path = cdoc_strdup(path);
	return 0;
}

static const char *debuglink_name(Elf *e)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstrndx;

	if (elf_getshdrstrndx(e, &shstrndx) < 0)
		return NULL;
	while ((scn = elf_nextscn(e, scn))) {
		const char *name;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".gnu_debuglink"))
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_size ||
		    !memchr(data->d_buf, 0, data->d_size))
			return NULL;
		return data->d_buf;
	}
	return NULL;
}

/* Try "@a@b@c" as a debug file (skipped when the path is too long). */
static int try_debug_path(struct dso *d, const char *a, const char *b,
                          const char *c)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s%s%s", a, b, c);

	if (n < 0 || (size_t)n >= sizeof(path) || !strcmp(path, d->path))
		return -1;
	return try_debug_file(d, path);
}

/* Find a separate debug file: by build-id, then by .gnu_debuglink. */
static void find_debug_file(struct dso *d, Elf *e)
{
	char id[2 * sizeof(d->build_id) + 8], *dir;
	const char *link, *slash;

	if (d->build_id_len >= 2) {
		hex(d->build_id, d->build_id_len, id + 1);
		id[0] = id[1];
		id[1] = id[2];
		id[2] = '/';
		if (!try_debug_path(d, "/usr/lib/debug/.build-id/", id,
		                    ".debug"))
			return;
	}
	link = debuglink_name(e);
	slash = strrchr(d->path, '/');
	if (!link || !slash || strchr(link, '/'))
		return;
	dir = cdoc_strndup(d->path, slash + 1 - d->path);
	if (try_debug_path(d, dir, "", link) &&
	    try_debug_path(d, dir, ".debug/", link))
		try_debug_path(d, "/usr/lib/debug", dir, link);
	free(dir);
}

static void load_syms(struct dso *d, Elf *e)
{
	size_t alloc = 0;
	int have_symtab = 0;

	find_debug_file(d, e);
	if (d->dbg_elf)
		have_symtab = add_symtabs(d, d->dbg_elf, SHT_SYMTAB, &alloc);
	if (!have_symtab)
		have_symtab = add_symtabs(d, e, SHT_SYMTAB, &alloc);
	/* .dynsym also names what a partial .symtab may lack. */
	add_symtabs(d, e, SHT_DYNSYM, &alloc);
	finish_syms(d);
}

static const uint8_t *vdso_image(size_t *len)
{
	const uint8_t *base = (const void *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Ehdr *eh = (const void *)base;
	uint8_t *copy;

	if (!base || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return NULL;
	*len = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	if (*len > (1 << 20))
		return NULL;
	copy = cdoc_malloc(*len);
	memcpy(copy, base, *len);
	return copy;
}

static int dso_load(struct dso *d)
{
	Elf *e;

	if (!strcmp(d->path, "[vdso]")) {
		d->image = vdso_image(&d->image_len);
	} else {
		d->image = map_file(d->path, &d->image_len);
		d->image_mmapped = 1;
	}
	if (!d->image)
		return -1;
	e = open_elf(d->image, d->image_len);
	if (!e)
		return -1;
	d->elf = e;
	if (read_phdrs(d, e) < 0)
		return -1;
	load_syms(d, e);
	return 0;
}

/*
 * The DSO for @path, loaded on first use. Never NULL; ->state < 0 when the
 * file could not be read as ELF (it is still cached, so it is tried once).
 */
struct dso *symbol__dso_get(struct cdoc_syms *s, const char *path)
{
	uint64_t key = cdoc_hash(path, strlen(path)) | 1;
	uint32_t idx;
	struct dso *d;

	while (cdoc_u64map_get(&s->dso_index, key, &idx)) {
		if (!strcmp(s->dsos[idx - 1]->path, path))
			return s->dsos[idx - 1];
		key = cdoc_hash_u64(key) | 1;
	}
	d = cdoc_calloc(1, sizeof(*d));
	d->path = cdoc_strdup(path);
	d->module_id = symbol__intern(s, path);
	d->state = dso_load(d) < 0 ? -1 : 1;
	if (d->state < 0)
		s->stats.dsos_failed++;
	else
		s->stats.dsos++;
	CDOC_GROW(s->dsos, s->nr_dsos + 1, s->alloc_dsos);
	s->dsos[s->nr_dsos++] = d;
	cdoc_u64map_put(&s->dso_index, key, s->nr_dsos);
	return d;
}

/* libdw on its own descriptor: the mapped images are read-only and
 * libdw may write to what it is given. */
static void open_dwarf(struct dso *d, const char *path)
{
	const char *p = d->dbg_path ? d->dbg_path : path;
	int fd = p && *p == '/' ? open(p, O_RDONLY | O_CLOEXEC) : -1;

	d->dwarf_state = -1;
	if (fd < 0)
		return;
	d->dwarf = dwarf_begin(fd, DWARF_C_READ);
	if (!d->dwarf) {
		close(fd);
		return;
	}
	d->dwarf_fd = fd;
	d->dwarf_state = 1;
}

int symbol__dso_srcline(struct dso *d, const char *path, uint64_t vaddr,
                        const char **file, unsigned *line)
{
	Dwarf_Die cu;
	Dwarf_Line *l;
	int n = 0;

	if (!d->dwarf_state)
		open_dwarf(d, path);
	if (d->dwarf_state < 0 || dwarf_addrdie(d->dwarf, vaddr, &cu) != &cu)
		return 0;
	l = dwarf_getsrc_die(&cu, vaddr);
	if (!l || !(*file = dwarf_linesrc(l, NULL, NULL)) ||
	    dwarf_lineno(l, &n) || n <= 0) {
		*file = NULL;
		return 0;
	}
	*line = (unsigned)n;
	return 1;
}

void symbol__dso_free(struct dso *d)
{
	if (d->dwarf) {
		dwarf_end(d->dwarf);
		close(d->dwarf_fd);
	}
	free(d->dbg_path);
	if (d->dbg_elf)
		elf_end(d->dbg_elf);
	if (d->elf)
		elf_end(d->elf);
	if (d->dbg_image)
		munmap((void *)d->dbg_image, d->dbg_len);
	if (d->image && d->image_mmapped)
		munmap((void *)d->image, d->image_len);
	else
		free((void *)d->image);
	free(d->syms);
	free(d->path);
	free(d);
}

int symbol__dso_off_to_vaddr(const struct dso *d, uint64_t off, uint64_t *vaddr)
{
	int i;

	for (i = 0; i < d->nr_segs; i++) {
		const struct dso_seg *sg = &d->segs[i];

		if (off >= sg->offset && off < sg->offset + sg->filesz) {
			*vaddr = off - sg->offset + sg->vaddr;
			return 1;
		}
	}
	*vaddr = off;
	return 0;
}

int symbol__dso_read_vaddr(const struct dso *d, uint64_t vaddr, void *buf,
                           size_t len)
{
	int i;

	for (i = 0; i < d->nr_segs; i++) {
		const struct dso_seg *sg = &d->segs[i];
		uint64_t off;

		if (vaddr < sg->vaddr || vaddr - sg->vaddr >= sg->filesz ||
		    len > sg->filesz - (vaddr - sg->vaddr))
			continue;
		off = vaddr - sg->vaddr + sg->offset;
		if (off > d->image_len || len > d->image_len - off)
			return -1;
		memcpy(buf, d->image + off, len);
		return 0;
	}
	return -1;
}

const struct dso_sym *symbol__dso_find_sym(const struct dso *d, uint64_t vaddr)
{
	size_t lo = CDOC_UPPER_BOUND(d->syms, d->nr_syms, start, vaddr);

	if (!lo)
		return NULL;
	if (vaddr - d->syms[lo - 1].start < d->syms[lo - 1].size)
		return &d->syms[lo - 1];
	return NULL;
}
