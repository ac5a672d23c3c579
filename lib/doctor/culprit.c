/*
 * culprit.c - who is responsible for a stack: the first frame of the
 * program's own code counted from the leaf, above the C library, the
 * allocator, the lock wrappers and the kernel (a function that calls
 * fsync or pthread_mutex_lock is the culprit, not fsync). Own code is
 * told by the module FRAMEINFO names (the executable and libraries
 * outside the system's library folders), else by the frame's name.
 */
#include "doctor/internal.h"

#include <stdlib.h>
#include <string.h>

/* Modules that are not the program's own code. */
static int system_module(const char *path)
{
	static const char *const prefixes[] = {
	        "/lib/", "/lib64/", "/usr/lib", "/usr/libexec/", "[", "//anon"};
	size_t i;

	if (strstr(path, "libcdoctor-alloc") || strstr(path, "/ld-linux"))
		return 1;
	for (i = 0; i < CDOC_ARRAY_SIZE(prefixes); i++)
		if (!strncmp(path, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

/*
 * The executable of a managed runtime (node): V8, libuv, OpenSSL and the
 * rest linked into it run the program's code but are not it; the
 * program's own frames there are its JS functions.
 */
static int runtime_module(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strcmp(base, "node") || !strcmp(base, "nodejs") ||
	       !strncmp(base, "libnode.so", 10);
}

/* Frames of a runtime by name, when FRAMEINFO does not give a module:
 * V8 and its heap, node's C++, libuv. */
static int runtime_name(const char *name)
{
	static const char *const prefixes[] = {
	        "v8::", "node::", "cppgc::",   "heap::base::",
	        "uv_",  "uv__",   "Builtins_", "v8_inspector::"};

	for (size_t i = 0; i < CDOC_ARRAY_SIZE(prefixes); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

/* A JS frame ("JS:name file:line:col") of node's own modules ("node:")
 * or of cdoctor's agent: the runtime's, not the program's. */
static int runtime_js(const char *name)
{
	const char *sp;

	if (strncmp(name, "JS:", 3))
		return 0;
	sp = strchr(name + 3, ' ');
	return sp &&
	       (!strncmp(sp + 1, "node:", 5) || strstr(sp, "cdoctor-agent.js"));
}

static int is_shim_module(const char *path)
{
	return strstr(path, "libcdoctor-alloc") != NULL;
}

/* Names of C library and runtime functions (no FRAMEINFO to tell). */
static int libc_name(const char *name)
{
	static const char *const prefixes[] = {
	        "__",    "_IO_",      "_dl_",         "pthread_", "epoll_",
	        "std::", "operator ", "mem",          "str",      "sem_",
	        "_int_", "tcache_",   "je_",          "tc_",      "unw_",
	        "_U",    "_start",    "start_thread", "clone",    "futex"};
	static const char *const fns[] = {"fsync",
	                                  "fdatasync",
	                                  "sync_file_range",
	                                  "read",
	                                  "write",
	                                  "pread",
	                                  "pwrite",
	                                  "pread64",
	                                  "pwrite64",
	                                  "open",
	                                  "openat",
	                                  "open64",
	                                  "close",
	                                  "accept",
	                                  "accept4",
	                                  "recv",
	                                  "recvfrom",
	                                  "recvmsg",
	                                  "send",
	                                  "sendto",
	                                  "sendmsg",
	                                  "poll",
	                                  "ppoll",
	                                  "select",
	                                  "pselect",
	                                  "connect",
	                                  "socket",
	                                  "pipe",
	                                  "pipe2",
	                                  "dup",
	                                  "dup2",
	                                  "dup3",
	                                  "eventfd",
	                                  "timerfd_create",
	                                  "fopen",
	                                  "fclose",
	                                  "fwrite",
	                                  "fread",
	                                  "fflush",
	                                  "nanosleep",
	                                  "clock_nanosleep",
	                                  "usleep",
	                                  "sleep",
	                                  "syscall",
	                                  "writev",
	                                  "readv",
	                                  "sendfile",
	                                  "creat",
	                                  "qsort",
	                                  "printf",
	                                  "fprintf",
	                                  "snprintf",
	                                  "sprintf",
	                                  "vsnprintf",
	                                  "abort",
	                                  "exit",
	                                  "main_arena",
	                                  "sched_yield"};
	size_t i;

	if (doctor__frame_is_alloc(name) || doctor__frame_is_lock(name))
		return 1;
	for (i = 0; i < CDOC_ARRAY_SIZE(prefixes); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return 1;
	for (i = 0; i < CDOC_ARRAY_SIZE(fns); i++)
		if (!strcmp(name, fns[i]))
			return 1;
	return 0;
}

/* The FRAMEINFO of @name, or NULL. */
static const struct cdoc_rec_frame *frame_info(struct vctx *c, const char *name)
{
	int64_t id = cdoc_strtab_find(&c->fi_names, name, strlen(name));

	return id < 0 ? NULL : &c->r->frames[c->fi_idx[id]];
}

static const char *frame_module(struct vctx *c, const char *name)
{
	const struct cdoc_rec_frame *f = frame_info(c, name);

	if (!f || !f->module || f->module > c->r->nr_modules)
		return NULL;
	return c->r->modules[f->module - 1].path;
}

int doctor__frame_is_own(struct vctx *c, const char *name)
{
	const char *mod;
	size_t len;

	if (!*name || name[0] == '[' || doctor__frame_is_kernel(name) ||
	    runtime_js(name) || runtime_name(name))
		return 0;
	if (!strncmp(name, "JS:", 3))
		return 1;
	mod = frame_module(c, name);
	if (mod)
		return !system_module(mod) && !runtime_module(mod);
	if (doctor__frame_is_unresolved(name, &len))
		return !memmem(name, len, ".so", 3);
	return !libc_name(name);
}

const char *doctor__frame_where(struct vctx *c, const char *name,
                                unsigned *line)
{
	const struct cdoc_rec_frame *f = frame_info(c, name);

	if (!f || !f->file)
		return NULL;
	*line = f->line;
	return f->file;
}

/* The kind of a frame on the leaf side of the culprit. */
static enum vkind frame_kind(struct vctx *c, const char *name)
{
	const char *mod;

	if (doctor__frame_is_kernel(name))
		return VK_KERNEL;
	if (strstr(name, "cond_wait") || strstr(name, "cond_timedwait") ||
	    !strncmp(name, "sem_wait", 8) ||
	    !strncmp(name, "sem_timedwait", 13))
		return VK_COND;
	if (doctor__frame_is_lock(name))
		return VK_LOCK;
	if (doctor__frame_is_alloc(name))
		return VK_ALLOC;
	mod = frame_module(c, name);
	if (mod && is_shim_module(mod))
		return VK_SHIM;
	return VK_OWN;
}

/*
 * Combine the kinds seen below the culprit: tracking beats the
 * allocator (its cost is ours), re-acquiring the mutex after a
 * condition wait is lock contention, and any user-space kind beats the
 * kernel (the kernel frames are what that call does).
 */
static enum vkind merge_kind(enum vkind have, enum vkind k, int mutex_seen)
{
	if (have == VK_SHIM || k == VK_SHIM)
		return VK_SHIM;
	if (k == VK_COND)
		return mutex_seen ? VK_LOCK : VK_COND;
	if (have == VK_OWN || have == VK_KERNEL)
		return k == VK_OWN && have == VK_KERNEL ? VK_KERNEL : k;
	return have;
}

/* The via of a frame: "[open:file]" -> "open"; a syscall entry -> it. */
static uint32_t via_id(struct vctx *c, const char *name)
{
	size_t len;
	const char *sc;

	if (name[0] == '[') {
		len = strcspn(name + 1, ":]");
		return cdoc_strtab_intern(&c->names, name + 1, len);
	}
	sc = doctor__frame_syscall(name, &len);
	if (sc)
		return cdoc_strtab_intern(&c->names, sc, len);
	return cdoc_strtab_intern(&c->names, name, strlen(name));
}

struct walk {
	uint32_t who, via, kernel_via;
	enum vkind kind;
	int mutex_seen;
	const char *fallback; /* the leaf-most user frame */
};

/* One frame from the leaf; 1 when the culprit is found. */
static int walk_frame(struct vctx *c, struct walk *w, const char *name,
                      int is_root)
{
	size_t len;
	enum vkind k;

	if (!is_root && doctor__frame_is_own(c, name)) {
		w->who = cdoc_strtab_intern(&c->names, name, strlen(name));
		return 1;
	}
	if (doctor__frame_syscall(name, &len) && !w->kernel_via)
		w->kernel_via = via_id(c, name);
	if (name[0] == '[') {
		w->via = via_id(c, name);
		return 0;
	}
	k = frame_kind(c, name);
	if (strstr(name, "mutex") || strstr(name, "lll_lock") ||
	    strstr(name, "rwlock"))
		w->mutex_seen = 1;
	w->kind = merge_kind(w->kind, k, w->mutex_seen);
	if (k != VK_KERNEL) {
		w->via = via_id(c, name);
		if (!w->fallback && !is_root)
			w->fallback = name;
	}
	return 0;
}

static void walk_stack(struct vctx *c, const struct cdoc_profile *p,
                       uint32_t node, struct walk *w)
{
	uint32_t x;

	memset(w, 0, sizeof(*w));
	w->kind = VK_OWN;
	for (x = node; x && x != CDOC_NONE; x = p->nodes[x].parent)
		if (walk_frame(c, w, cdoc_profile_node_name(p, x),
		               p->nodes[x].depth == 1))
			break;
	if (!w->via)
		w->via = w->kernel_via;
	if (!w->who && w->fallback)
		w->who = cdoc_strtab_intern(&c->names, w->fallback,
		                            strlen(w->fallback));
	if (!w->who && node && node < p->nr_nodes)
		w->who = cdoc_strtab_intern(
		        &c->names, cdoc_profile_node_name(p, node),
		        strlen(cdoc_profile_node_name(p, node)));
	if (w->via == w->who)
		w->via = 0;
}

uint32_t doctor__culprit(struct vctx *c, int vp, uint32_t node, uint32_t *via,
                         enum vkind *kind)
{
	const struct cdoc_profile *p = &c->r->profiles[c->prof[vp]].prof;
	struct walk w;

	if (!c->memo[vp]) {
		c->memo[vp] = cdoc_calloc(p->nr_nodes + 1, sizeof(uint32_t));
		c->memo_via[vp] =
		        cdoc_calloc(p->nr_nodes + 1, sizeof(uint32_t));
		c->memo_kind[vp] = cdoc_calloc(p->nr_nodes + 1, 1);
	}
	if (node >= p->nr_nodes)
		node = 0;
	if (!c->memo[vp][node]) {
		walk_stack(c, p, node, &w);
		c->memo[vp][node] = w.who + 1;
		c->memo_via[vp][node] = w.via + 1;
		c->memo_kind[vp][node] = (uint8_t)(w.kind + 1);
	}
	*via = c->memo_via[vp][node] - 1;
	*kind = (enum vkind)(c->memo_kind[vp][node] - 1);
	return c->memo[vp][node] - 1;
}

void doctor__vtally_add(struct vtally *t, uint32_t who, uint32_t via, double w)
{
	if (who >= t->alloc) {
		size_t old = t->alloc;

		CDOC_GROW(t->w, who + 1, t->alloc);
		t->via = cdoc_realloc(t->via, t->alloc * sizeof(*t->via));
		memset(t->w + old, 0, (t->alloc - old) * sizeof(*t->w));
		memset(t->via + old, 0, (t->alloc - old) * sizeof(*t->via));
	}
	if (!t->via[who] || (via && t->w[who] < w))
		t->via[who] = via;
	t->w[who] += w;
	t->total += w;
}

static int by_weight(const void *a, const void *b, void *arg)
{
	const struct vtally *t = arg;
	double x = t->w[*(const uint32_t *)a];
	double y = t->w[*(const uint32_t *)b];

	return x < y ? 1 : x > y ? -1 : 0;
}

size_t doctor__vtally_sorted(const struct vtally *t, uint32_t **ids)
{
	size_t i, n = 0;

	*ids = cdoc_calloc(t->alloc + 1, sizeof(**ids));
	for (i = 1; i < t->alloc; i++)
		if (t->w[i] > 0)
			(*ids)[n++] = (uint32_t)i;
	qsort_r(*ids, n, sizeof(**ids), by_weight, (void *)t);
	return n;
}

void doctor__vtally_release(struct vtally *t)
{
	free(t->w);
	free(t->via);
	memset(t, 0, sizeof(*t));
}
static void split_one(struct vctx *c, void *arg, uint32_t tid, uint64_t t,
                      uint32_t node, double w)
{
	struct vcpu *s = arg;
	enum vkind kind;
	uint32_t via, who = doctor__culprit(c, VP_CPU, node, &via, &kind);
	uint32_t x;

	(void)t;
	if (s->only && !cdoc_u64map_get(s->only, tid, &x))
		return;
	switch (kind) {
	case VK_OWN:
		doctor__vtally_add(&s->own, who, 0, w);
		break;
	case VK_ALLOC:
		doctor__vtally_add(&s->alloc, who, via, w);
		break;
	case VK_SHIM:
		s->shim_ns += w;
		break;
	case VK_KERNEL:
		s->kernel_ns += w;
		break;
	default:
		s->lock_ns += w;
	}
}

void doctor__cpu_split(struct vctx *c, struct vcpu *s,
                       const struct cdoc_u64map *only)
{
	memset(s, 0, sizeof(*s));
	s->only = only;
	doctor__vsamples(c, VP_CPU, split_one, s);
}

void doctor__cpu_split_release(struct vcpu *s)
{
	doctor__vtally_release(&s->own);
	doctor__vtally_release(&s->alloc);
}

uint32_t doctor__vtally_top(const struct vtally *t, double *w)
{
	uint32_t *ids, id = 0;

	*w = 0;
	if (doctor__vtally_sorted(t, &ids)) {
		id = ids[0];
		*w = t->w[id];
	}
	free(ids);
	return id;
}
