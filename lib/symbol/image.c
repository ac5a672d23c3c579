/*
 * image.c - what lib/unwind needs of lib/symbol, through the public
 * header: the ELF image mapped at an address (its mapping, load bias and
 * .eh_frame_hdr), reads from it, and a per-process slot for the
 * unwinder's own state.
 */
#include "symbol/internal.h"

struct cdoc_syms_proc *cdoc_syms_get_proc(struct cdoc_syms *s, uint32_t pid)
{
	return symbol__proc(s, pid, 1);
}

void **cdoc_syms_proc_slot(struct cdoc_syms_proc *p)
{
	return &p->unwind;
}

void cdoc_syms_set_slot_ops(struct cdoc_syms *s, void (*free_fn)(void *),
                            void (*flush_fn)(void *))
{
	s->unwind_free = free_fn;
	s->unwind_flush = flush_fn;
}

int cdoc_syms_image_at(struct cdoc_syms *s, struct cdoc_syms_proc *p,
                       uint64_t addr, struct cdoc_syms_image *out)
{
	struct proc_map *m = symbol__find_map(p, addr);
	struct dso *d = m ? symbol__map_dso(s, m) : NULL;

	if (!d || symbol__map_bias(m, &out->bias) < 0)
		return -1;
	out->dso = d;
	out->start = m->start;
	out->end = m->end;
	out->eh_hdr_vaddr = d->eh_hdr_vaddr;
	return 0;
}

int cdoc_syms_image_read(const struct cdoc_syms_image *im, uint64_t vaddr,
                         void *buf, size_t len)
{
	return symbol__dso_read_vaddr(im->dso, vaddr, buf, len);
}
