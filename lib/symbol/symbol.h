/*
 * symbol.h - what an address in a profiled process is: function, module,
 * offset.
 *
 * struct cdoc_syms follows the address spaces of many processes (fed from
 * perf MMAP2/COMM/FORK/EXIT records, or read from /proc/PID/maps) and keeps
 * one cache of DSOs shared by all of them: each ELF file is opened and its
 * .symtab/.dynsym (or those of its separate debug file, found by build-id or
 * .gnu_debuglink) parsed once. Kernel addresses resolve through
 * /proc/kallsyms; addresses in anonymous executable mappings resolve through
 * the JIT map /tmp/perf-PID.map, re-read when an address is not found.
 * C++ and Rust names are demangled without parameter lists ("ns::f", not
 * "ns::f(int)"), as flame graphs show them. An address with no symbol still
 * resolves to module+offset.
 *
 * Not thread-safe: one struct cdoc_syms per thread.
 */
#ifndef CDOC_SYMBOL_H
#define CDOC_SYMBOL_H

#include "base/base.h"

struct cdoc_syms;

/* Create an empty symbolizer. 0 or -errno; *out is freed by _free(). */
int cdoc_syms_new(struct cdoc_syms **out);
/* Free everything, including every string handed out by resolve. */
void cdoc_syms_free(struct cdoc_syms *s);

/*
 * Whether resolve fills ->file and ->line (default 1). Callers that only
 * name frames turn it off: finding a line opens the module's DWARF (for
 * libc, its detached debug file, whose compressed sections cost some
 * 50 ms of CPU to inflate), where names need only the symbol table.
 */
void cdoc_syms_set_lines(struct cdoc_syms *s, int on);

/*
 * Address-space events, fed in record order. @filename is copied; it may be
 * a path, "//anon", "[vdso]", "[heap]", "[stack]", or "" for anonymous
 * memory. @prot is PROT_* (only PROT_EXEC matters). A new mapping replaces
 * whatever overlapped it, as the kernel does.
 */
void cdoc_syms_mmap(struct cdoc_syms *s, uint32_t pid, uint64_t start,
                    uint64_t len, uint64_t pgoff, uint32_t prot,
                    const char *filename);
/* FORK: @pid starts with a copy of @ppid's maps (threads need no call). */
void cdoc_syms_fork(struct cdoc_syms *s, uint32_t ppid, uint32_t pid);
/* COMM with PERF_RECORD_MISC_COMM_EXEC: forget @pid's maps. */
void cdoc_syms_exec(struct cdoc_syms *s, uint32_t pid);
/* EXIT of a process: forget its maps (optional; frees memory). */
void cdoc_syms_exit(struct cdoc_syms *s, uint32_t pid);
/*
 * Read /proc/@pid/maps (for attach, or a process whose MMAP records were
 * missed), replacing what was known of @pid. 0 or a negative code with
 * cdoc_errmsg() set.
 */
int cdoc_syms_load_proc_maps(struct cdoc_syms *s, uint32_t pid);

enum {
	CDOC_SYM_USER = 0,   /* an ELF file or an unknown user address */
	CDOC_SYM_KERNEL = 1, /* from /proc/kallsyms */
	CDOC_SYM_JIT = 2,    /* from /tmp/perf-PID.map */
};

/* struct cdoc_symbol - what one address is. Strings are owned by the syms. */
struct cdoc_symbol {
	const char *name;   /* demangled function; NULL when unknown */
	const char *module; /* mapping path, "[kernel.kallsyms]", "[vdso]",
			       "[unknown]"; never NULL */
	uint64_t offset;    /* addr's offset in module: for a loaded ELF file
			       its ELF virtual address (what `addr2line -e
			       module` takes), else the file offset, or addr -
			       mapping start, or addr itself when unmapped */
	uint64_t sym_off;   /* addr - symbol start, when name is set */
	int kind;           /* CDOC_SYM_* */
	const uint8_t *build_id; /* the ELF file's GNU build-id, or NULL */
	size_t build_id_len;
	uint64_t map_start, map_end; /* the mapping that holds addr (0, 0
	                                when none) */
	const char *file; /* source file from DWARF line info, or NULL */
	unsigned line;    /* its line, when file is set */
};

/*
 * Resolve @addr of process @pid (@kernel: a kernel address, pid ignored).
 * Always fills *out; returns 1 when a function name was found, 0 when only
 * module+offset is known. Strings stay valid until cdoc_syms_free().
 * Fast enough to call per frame, but callers should dedup addresses.
 */
int cdoc_syms_resolve(struct cdoc_syms *s, uint32_t pid, uint64_t addr,
                      int kernel, struct cdoc_symbol *out);

/*
 * Append @sym as a folded-stack frame name: "func", "func_[k]", "func_[j]",
 * or "module+0xoff" with the module's basename (suffixed _[k]/_[j] too).
 */
void cdoc_symbol_format(const struct cdoc_symbol *sym, struct cdoc_buf *out);

/*
 * Append the JIT-map name @raw with V8's tier marker removed, so that one
 * JavaScript function has one name whatever tier ran it: after V8's kind
 * prefix ("JS:", "LazyCompile:", "Function:", "Eval:", "Script:", ...), a
 * leading '*' (optimized), '~' (interpreted), '^' (baseline/sparkplug) or
 * '+' (maglev) is dropped, and the kinds that name a compiled function
 * (LazyCompile, Function, JS) all become "JS:". "JS:*serialize /app.js:12:3"
 * and "LazyCompile:^serialize /app.js:12:3" are "JS:serialize /app.js:12:3".
 * Other names are appended unchanged. Returns 1 when something was removed.
 */
int cdoc_symbol_jit_name(const char *raw, struct cdoc_buf *out);

/* Counters for reports ("nothing silent"). */
struct cdoc_syms_stats {
	uint64_t resolved;      /* resolve calls that found a name */
	uint64_t unresolved;    /* resolve calls that gave module+off */
	uint64_t no_map;        /* addresses in no known mapping */
	uint64_t dsos;          /* ELF files loaded */
	uint64_t dsos_failed;   /* files that could not be read */
	uint64_t jit_bad_lines; /* malformed JIT-map lines skipped */
	uint64_t jit_reloads;   /* JIT map re-reads */
	uint64_t jit_rejected;  /* JIT maps ignored: owned by another user */
};
void cdoc_syms_get_stats(const struct cdoc_syms *s,
                         struct cdoc_syms_stats *out);

/*
 * Demangle a C++ or Rust symbol without parameters into @out; returns 1 if
 * it was mangled, 0 (and appends @name unchanged) otherwise.
 */
int cdoc_symbol_demangle(const char *name, struct cdoc_buf *out);

/* ---- for the unwinder (lib/unwind): mapped ELF images ---- */

struct cdoc_syms_proc; /* one process's mappings (opaque) */

/* The record of process @pid, created when new; never NULL. Valid until
 * the process is forgotten (cdoc_syms_exec, _exit, _free). */
struct cdoc_syms_proc *cdoc_syms_get_proc(struct cdoc_syms *s, uint32_t pid);

/*
 * A slot in @p for another module's per-process state (lib/unwind keeps
 * its libunwind address space there). cdoc_syms_set_slot_ops() names the
 * functions called on the slot when the process's maps change (@flush)
 * and when it is forgotten (@free); the slot is NULL afterwards.
 */
void **cdoc_syms_proc_slot(struct cdoc_syms_proc *p);
void cdoc_syms_set_slot_ops(struct cdoc_syms *s, void (*free_fn)(void *),
                            void (*flush_fn)(void *));

/* struct cdoc_syms_image - the ELF file mapped at an address of a process. */
struct cdoc_syms_image {
	const void *dso;       /* the loaded file (opaque) */
	uint64_t start, end;   /* the mapping that holds the address */
	uint64_t bias;         /* runtime address = ELF vaddr + bias */
	uint64_t eh_hdr_vaddr; /* .eh_frame_hdr's ELF vaddr; 0 when absent */
};

/*
 * The image mapped at runtime address @addr of @p (the file loaded on
 * first use). 0, or -1 when nothing loadable is mapped there or its load
 * bias is unknown.
 */
int cdoc_syms_image_at(struct cdoc_syms *s, struct cdoc_syms_proc *p,
                       uint64_t addr, struct cdoc_syms_image *out);

/* Read @len bytes at ELF vaddr @vaddr of @im's file image; 0 or -1. */
int cdoc_syms_image_read(const struct cdoc_syms_image *im, uint64_t vaddr,
                         void *buf, size_t len);

/*
 * JIT maps (/tmp/perf-PID.map): lines "START SIZE name", START and SIZE in
 * hex (optional 0x). cdoc_jitmap_parse() is strict: the first malformed line
 * fails with -CDOC_EFORMAT and a message naming @name and the line. Entries
 * are appended to @map (init with CDOC_JITMAP_INIT, release with
 * cdoc_jitmap_release). cdoc_jitmap_find() needs cdoc_jitmap_sort() first.
 */
struct cdoc_jit_entry {
	uint64_t start, size;
	char *name; /* owned by the map */
	size_t seq; /* order added: of two entries at one start, the later
		       (code re-JITted at a reused address) wins */
};
struct cdoc_jitmap {
	struct cdoc_jit_entry *v;
	size_t nr, alloc;
};
#define CDOC_JITMAP_INIT                                                       \
	{                                                                      \
		NULL, 0, 0                                                     \
	}
int cdoc_jitmap_parse(struct cdoc_jitmap *map, const char *data, size_t len,
                      const char *name);
/* Lenient variant: skips malformed lines; returns how many were skipped. */
size_t cdoc_jitmap_parse_lenient(struct cdoc_jitmap *map, const char *data,
                                 size_t len);
void cdoc_jitmap_sort(struct cdoc_jitmap *map);
const struct cdoc_jit_entry *cdoc_jitmap_find(const struct cdoc_jitmap *map,
                                              uint64_t addr);
void cdoc_jitmap_release(struct cdoc_jitmap *map);

#endif
