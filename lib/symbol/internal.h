/*
 * internal.h - the symbolizer's data structures, shared by the lib/symbol
 * sources only (lib/unwind gets what it needs through symbol.h:
 * cdoc_syms_image_at and the per-process slot). Not a public API.
 */
#ifndef CDOC_SYMBOL_INTERNAL_H
#define CDOC_SYMBOL_INTERNAL_H

#include "symbol/symbol.h"

#define DSO_MAX_SEGS 16

/* struct dso_seg - one PT_LOAD segment of an ELF file. */
struct dso_seg {
	uint64_t vaddr, memsz;   /* where it loads (before the load bias) */
	uint64_t offset, filesz; /* where it is in the file */
	int exec;                /* PF_X */
};

/* struct dso_sym - one function symbol (vaddr domain of the DSO). */
struct dso_sym {
	uint64_t start, size;
	const char *raw;  /* mangled name, points into an image of the dso */
	uint32_t name_id; /* demangled name in syms->strs, + 1; 0 = not yet */
};

/* struct dso - one ELF file (or the vDSO), loaded once per cdoc_syms. */
struct dso {
	char *path;           /* key: the mapped path, or "[vdso]" */
	uint32_t module_id;   /* path interned in syms->strs */
	int state;            /* 0 not loaded, 1 loaded, -1 failed */
	const uint8_t *image; /* the whole file (mmap) or vdso copy */
	size_t image_len;
	int image_mmapped;        /* munmap, else free */
	const uint8_t *dbg_image; /* separate debug file (mmap) or NULL */
	size_t dbg_len;
	void *elf, *dbg_elf; /* libelf handles, kept: syms point in */
	int elf_type;        /* ET_EXEC or ET_DYN */
	struct dso_seg segs[DSO_MAX_SEGS];
	int nr_segs;
	uint64_t eh_hdr_vaddr; /* .eh_frame_hdr; 0 when absent */
	uint64_t eh_hdr_len;
	struct dso_sym *syms; /* sorted by start */
	size_t nr_syms;
	uint8_t build_id[64];
	size_t build_id_len;
	char *dbg_path;  /* the separate debug file's path, or NULL */
	void *dwarf;     /* libdw handle for line info (lazily), or NULL */
	int dwarf_fd;    /* the file it reads (when dwarf is set) */
	int dwarf_state; /* 0 not tried, 1 open, -1 none */
};

/* Kinds of mappings. */
enum { PMAP_FILE, PMAP_VDSO, PMAP_ANON, PMAP_OTHER };

/* struct proc_map - one mapping of a process. */
struct proc_map {
	uint64_t start, end, pgoff;
	uint32_t prot;
	uint32_t name_id; /* filename interned in syms->strs */
	int kind;         /* PMAP_* */
	struct dso *dso;  /* PMAP_FILE/PMAP_VDSO: looked up lazily */
};

/* struct cdoc_syms_proc - what is known of one process (by pid = tgid). */
struct cdoc_syms_proc {
	uint32_t pid;
	struct proc_map *maps; /* sorted by start, not overlapping */
	size_t nr_maps, alloc_maps;
	struct cdoc_jitmap jit; /* /tmp/perf-PID.map, sorted */
	int jit_loaded;
	int64_t jit_size; /* file size when last read, -1 none */
	int64_t jit_mtime_ns;
	void *unwind; /* the slot: lib/unwind's per-process state */
};

/* struct ksym - one /proc/kallsyms entry. */
struct ksym {
	uint64_t addr;
	uint32_t name_id;
};

struct cdoc_syms {
	struct cdoc_strtab strs;       /* names and modules handed out */
	struct cdoc_syms_proc **procs; /* by pid through pid_index */
	size_t nr_procs, alloc_procs;
	struct cdoc_u64map pid_index; /* pid + 1 -> index in procs */
	struct dso **dsos;            /* every DSO opened */
	size_t nr_dsos, alloc_dsos;
	struct cdoc_u64map dso_index; /* hash of path -> index + 1 */
	struct ksym *ksyms;           /* sorted; loaded on first use */
	size_t nr_ksyms;
	int ksyms_state;     /* 0 not read, 1 ok, -1 unusable */
	uint32_t kmodule_id; /* "[kernel.kallsyms]" */
	uint32_t unknown_id; /* "[unknown]" */
	struct cdoc_buf tmp; /* scratch for demangling */
	struct cdoc_syms_stats stats;
	int no_lines; /* cdoc_syms_set_lines(s, 0): no DWARF line lookups */
	/* lib/unwind's destructor for proc->unwind (set by unwind). */
	void (*unwind_free)(void *state);
	/* ... and its cache flush when a process's maps change. */
	void (*unwind_flush)(void *state);
};

/* maps.c */
struct cdoc_syms_proc *symbol__proc(struct cdoc_syms *s, uint32_t pid,
                                    int create);
struct proc_map *symbol__find_map(struct cdoc_syms_proc *p, uint64_t addr);
void symbol__proc_free(struct cdoc_syms *s, struct cdoc_syms_proc *p);
/* The DSO behind a file or vdso mapping (loaded), or NULL. */
struct dso *symbol__map_dso(struct cdoc_syms *s, struct proc_map *m);
/* Load bias of @m's DSO: runtime address = ELF vaddr + bias. */
int symbol__map_bias(const struct proc_map *m, uint64_t *bias);

/* dso.c */
struct dso *symbol__dso_get(struct cdoc_syms *s, const char *path);
void symbol__dso_free(struct dso *d);

/* Source file and line of ELF vaddr @vaddr in @d from its DWARF line
 * table (the separate debug file's when there is one, else the file at
 * @path, opened on first use); 1 when found. */
int symbol__dso_srcline(struct dso *d, const char *path, uint64_t vaddr,
                        const char **file, unsigned *line);
/* ELF vaddr of file offset @off; 0 and *vaddr = off when in no segment. */
int symbol__dso_off_to_vaddr(const struct dso *d, uint64_t off,
                             uint64_t *vaddr);
/* Read @len bytes at ELF vaddr @vaddr from the file image; 0 or -1. */
int symbol__dso_read_vaddr(const struct dso *d, uint64_t vaddr, void *buf,
                           size_t len);
const struct dso_sym *symbol__dso_find_sym(const struct dso *d, uint64_t vaddr);

/* kallsyms.c */
int symbol__ksyms_find(struct cdoc_syms *s, uint64_t addr, uint32_t *name_id);
void symbol__ksyms_release(struct cdoc_syms *s);

/* symbol.c */
uint32_t symbol__intern(struct cdoc_syms *s, const char *str);

#endif
