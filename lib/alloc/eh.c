/*
 * eh.c - compact unwind rules from the modules' .eh_frame, in memory.
 *
 * For a code address, the rule that finds its caller: CFA = rsp or rbp +
 * offset, the return address at CFA - 8, and where rbp was saved (an
 * offset from the CFA) or that it is unchanged. This covers what
 * compilers emit for x86-64 functions (with or without frame pointers,
 * prologues, epilogues, remember/restore_state). What it cannot express
 * (DWARF expressions: PLT entries, signal trampolines, stack realignment
 * through expressions; registers other than rbp and the return address
 * kept elsewhere than at an offset from the CFA) comes back as
 * SHIM_RULE_NONE, and the caller unwinds with libunwind instead.
 *
 * Modules come from dl_iterate_phdr: each executable segment with the
 * object's PT_GNU_EH_FRAME, whose .eh_frame_hdr holds a table of FDEs
 * sorted by address (binary search). The table of modules is rebuilt,
 * into fresh pages, when an address is in none of them and the loader
 * says objects were added or removed; an old table is never freed (a
 * thread may still read it), so each dlopen or dlclose costs one table.
 * Nothing here allocates through malloc or takes a lock that a signal
 * handler could hold.
 */
#include <link.h>
#include <string.h>

#include "alloc/internal.h"

#define MAX_MODS 1024

struct umod {
	uintptr_t lo, hi;     /* executable segment */
	const uint8_t *table; /* .eh_frame_hdr search table (sdata4 pairs) */
	uintptr_t hdr;        /* datarel base of the table's entries */
	size_t n;             /* entries */
};

struct modtab {
	size_t n;
	unsigned long long adds, subs; /* the loader's counts when built */
	struct umod m[];
};

static _Atomic(struct modtab *) mods;
static atomic_int building;
atomic_uint shim_eh_gen; /* bumped when objects were unloaded */

/* DW_EH_PE encodings. */
#define PE_OMIT    0xff
#define PE_ABSPTR  0x00
#define PE_ULEB    0x01
#define PE_UDATA2  0x02
#define PE_UDATA4  0x03
#define PE_UDATA8  0x04
#define PE_SLEB    0x09
#define PE_SDATA2  0x0a
#define PE_SDATA4  0x0b
#define PE_SDATA8  0x0c
#define PE_PCREL   0x10
#define PE_DATAREL 0x30

static uint64_t uleb(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;
	int shift = 0;

	while (*p < end) {
		uint8_t b = *(*p)++;

		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	return v;
}

static int64_t sleb(const uint8_t **p, const uint8_t *end)
{
	int64_t v = 0;
	int shift = 0;
	uint8_t b = 0;

	while (*p < end) {
		b = *(*p)++;
		if (shift < 64)
			v |= (int64_t)((uint64_t)(b & 0x7f) << shift);
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	if (shift < 64 && (b & 0x40))
		v |= -((int64_t)1 << shift);
	return v;
}

/* An encoded pointer at *p (pcrel relative to its own address); 0 with
 * *ok cleared for encodings we do not read. */
static uintptr_t read_enc(const uint8_t **p, const uint8_t *end, uint8_t enc,
                          int *ok)
{
	const uint8_t *at = *p;
	uintptr_t v = 0;

	if (enc == PE_OMIT)
		return 0;
	switch (enc & 0x0f) {
	case PE_ABSPTR:
	case PE_UDATA8:
	case PE_SDATA8:
		if (end - at < 8)
			goto bad;
		memcpy(&v, at, 8);
		*p += 8;
		break;
	case PE_UDATA4:
	case PE_SDATA4: {
		uint32_t u;
		if (end - at < 4)
			goto bad;
		memcpy(&u, at, 4);
		v = (enc & 0x0f) == PE_SDATA4 ? (uintptr_t)(intptr_t)(int32_t)u
		                              : u;
		*p += 4;
		break;
	}
	case PE_UDATA2:
	case PE_SDATA2: {
		uint16_t u;
		if (end - at < 2)
			goto bad;
		memcpy(&u, at, 2);
		v = (enc & 0x0f) == PE_SDATA2 ? (uintptr_t)(intptr_t)(int16_t)u
		                              : u;
		*p += 2;
		break;
	}
	case PE_ULEB:
		v = uleb(p, end);
		break;
	case PE_SLEB:
		v = (uintptr_t)sleb(p, end);
		break;
	default:
		goto bad;
	}
	if ((enc & 0x70) == PE_PCREL)
		v += (uintptr_t)at;
	else if ((enc & 0x70) != 0)
		goto bad;
	if (enc & 0x80)
		goto bad; /* indirect: not for pc ranges */
	return v;
bad:
	*ok = 0;
	return 0;
}

/* --- the module table ------------------------------------------------ */

struct build {
	struct modtab *t;
	size_t cap;
};

static void add_object(struct build *b, struct dl_phdr_info *info)
{
	const ElfW(Phdr) *eh = NULL;
	const uint8_t *h;
	int i, ok = 1;

	for (i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_GNU_EH_FRAME)
			eh = &info->dlpi_phdr[i];
	if (!eh)
		return;
	h = (const uint8_t *)(info->dlpi_addr + eh->p_vaddr);
	/* version 1, table of datarel sdata4 pairs */
	if (h[0] != 1 || h[3] != (PE_DATAREL | PE_SDATA4))
		return;
	for (i = 0; i < info->dlpi_phnum && b->t->n < b->cap; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const uint8_t *p = h + 4;
		struct umod *m;
		uintptr_t count;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		read_enc(&p, p + 8, h[1], &ok);
		count = read_enc(&p, p + 8, h[2], &ok);
		if (!ok)
			return;
		m = &b->t->m[b->t->n++];
		m->lo = info->dlpi_addr + ph->p_vaddr;
		m->hi = m->lo + ph->p_memsz;
		m->table = p;
		m->hdr = (uintptr_t)h;
		m->n = count;
	}
}

static int build_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct build *b = data;

	(void)size;
	b->t->adds = info->dlpi_adds;
	b->t->subs = info->dlpi_subs;
	add_object(b, info);
	return 0;
}

static int counts_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	unsigned long long *c = data;

	(void)size;
	c[0] = info->dlpi_adds;
	c[1] = info->dlpi_subs;
	return 1;
}

static int by_lo(const struct umod *a, const struct umod *b)
{
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static void sort_mods(struct modtab *t)
{
	size_t i, j;

	for (i = 1; i < t->n; i++) { /* few, and mostly in order already */
		struct umod x = t->m[i];

		for (j = i; j > 0 && by_lo(&t->m[j - 1], &x) > 0; j--)
			t->m[j] = t->m[j - 1];
		t->m[j] = x;
	}
}

/* Rebuilds the table when the loader's counts moved; 0 if it did. */
static int rebuild(void)
{
	struct modtab *old = atomic_load(&mods);
	unsigned long long c[2] = {0, 0};
	struct build b;
	int expect = 0;

	dl_iterate_phdr(counts_cb, c);
	if (old && old->adds == c[0] && old->subs == c[1])
		return -1;
	if (!atomic_compare_exchange_strong(&building, &expect, 1))
		return -1;
	b.cap = MAX_MODS;
	b.t = shim_pages(sizeof(struct modtab) + sizeof(struct umod) * b.cap);
	if (b.t) {
		dl_iterate_phdr(build_cb, &b);
		sort_mods(b.t);
		if (old && old->subs != b.t->subs)
			atomic_fetch_add(&shim_eh_gen, 1);
		atomic_store_explicit(&mods, b.t, memory_order_release);
	}
	atomic_store(&building, 0);
	return b.t ? 0 : -1;
}

void shim_eh_init(void)
{
	rebuild();
}

/* In a fork child: a thread that was rebuilding the table is gone. */
void shim_eh_after_fork(void)
{
	atomic_store(&building, 0);
}

static const struct umod *find_mod(struct modtab *t, uintptr_t pc)
{
	size_t lo = 0, hi = t ? t->n : 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pc < t->m[mid].lo)
			hi = mid;
		else if (pc >= t->m[mid].hi)
			lo = mid + 1;
		else
			return &t->m[mid];
	}
	return NULL;
}

/* The FDE whose range may hold pc (the last one starting at or below). */
static const uint8_t *find_fde(const struct umod *m, uintptr_t pc)
{
	size_t lo = 0, hi = m->n;
	const int32_t *e = (const int32_t *)m->table;

	if (!m->n || pc < m->hdr + (uintptr_t)(intptr_t)e[0])
		return NULL;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (pc < m->hdr + (uintptr_t)(intptr_t)e[2 * mid])
			hi = mid;
		else
			lo = mid;
	}
	return (const uint8_t *)(m->hdr + (uintptr_t)(intptr_t)e[2 * lo + 1]);
}

/* --- CIE, FDE and the CFA program ------------------------------------ */

#define REG_RBP 6
#define REG_RSP 7
#define REG_RA  16

struct cfa_row {
	int32_t cfa_off;
	uint8_t cfa_reg;
	uint8_t rbp_how; /* 0 same, 1 at CFA + rbp_off, 2 undefined */
	uint8_t ra_how;  /* 0 at CFA + ra_off, 2 undefined */
	int32_t rbp_off;
	int32_t ra_off;
};

struct cie {
	uint64_t code_align;
	int64_t data_align;
	uint64_t ra_reg;
	uint8_t fde_enc;
	int has_z, signal;
	const uint8_t *insns, *end;
};

static int parse_cie(const uint8_t *c, struct cie *cie)
{
	const uint8_t *p = c + 4, *end;
	const char *aug;
	uint32_t len;
	uint8_t version;
	int ok = 1;

	memcpy(&len, c, 4);
	if (len == 0 || len == 0xffffffffu)
		return -1;
	end = c + 4 + len;
	if (p[0] | p[1] | p[2] | p[3]) /* CIE id 0 */
		return -1;
	p += 4;
	version = *p++;
	if (version != 1 && version != 3)
		return -1;
	aug = (const char *)p;
	p += strnlen(aug, (size_t)(end - p)) + 1;
	cie->code_align = uleb(&p, end);
	cie->data_align = sleb(&p, end);
	cie->ra_reg = version == 1 ? *p++ : uleb(&p, end);
	cie->fde_enc = PE_ABSPTR;
	cie->has_z = aug[0] == 'z';
	cie->signal = 0;
	if (cie->has_z) {
		uint64_t alen = uleb(&p, end);
		const uint8_t *aend = p + alen;

		for (aug++; *aug && p <= aend; aug++) {
			if (*aug == 'R')
				cie->fde_enc = *p++;
			else if (*aug == 'L')
				p++;
			else if (*aug == 'P') {
				uint8_t enc = *p++;
				read_enc(&p, aend, enc & 0x7f, &ok);
			} else if (*aug == 'S')
				cie->signal = 1;
			else if (*aug != 'B')
				return -1;
		}
		p = aend;
	} else if (aug[0]) {
		return -1;
	}
	if (!ok || p > end || cie->ra_reg != REG_RA)
		return -1;
	cie->insns = p;
	cie->end = end;
	return 0;
}

#define STATE_DEPTH 8

struct interp {
	struct cfa_row row, init, stack[STATE_DEPTH];
	int depth;
	uintptr_t loc;
	const struct cie *cie;
};

/* A register rule; -1 when it is one we cannot represent. */
static int set_reg(struct interp *s, uint64_t reg, int how, int64_t off)
{
	if (reg == REG_RBP) {
		s->row.rbp_how = (uint8_t)how;
		s->row.rbp_off = (int32_t)off;
	} else if (reg == REG_RA) {
		if (how == 0 && off != -8)
			return -1;
		s->row.ra_how = (uint8_t)how;
		s->row.ra_off = (int32_t)off;
	} else if (reg == REG_RSP) {
		return how == 0 ? -1 : 0; /* rsp is the CFA */
	}
	return 0;
}

static int restore_reg(struct interp *s, uint64_t reg)
{
	if (reg == REG_RBP) {
		s->row.rbp_how = s->init.rbp_how;
		s->row.rbp_off = s->init.rbp_off;
	} else if (reg == REG_RA) {
		s->row.ra_how = s->init.ra_how;
		s->row.ra_off = s->init.ra_off;
	}
	return 0;
}

/*
 * Runs one CFA program until the row that covers @pc. Returns 1 when
 * @pc was passed (stop), 0 at the program's end, -1 for what we do not
 * represent.
 */
static int run(struct interp *s, const uint8_t *p, const uint8_t *end,
               uintptr_t pc)
{
	const struct cie *c = s->cie;
	int ok = 1;

	while (p < end) {
		uint8_t op = *p++;
		uint64_t reg, delta = 0;
		int64_t off;

		switch (op >> 6) {
		case 1:
			delta = (op & 0x3f) * c->code_align;
			goto advance;
		case 2:
			off = (int64_t)uleb(&p, end) * c->data_align;
			if (set_reg(s, op & 0x3f, 1, off) < 0)
				return -1;
			continue;
		case 3:
			restore_reg(s, op & 0x3f);
			continue;
		}
		switch (op) {
		case 0x00: /* nop */
			continue;
		case 0x01: /* set_loc */
			s->loc = read_enc(&p, end, c->fde_enc, &ok);
			if (!ok)
				return -1;
			if (s->loc > pc)
				return 1;
			continue;
		case 0x02:
			delta = *p++ * c->code_align;
			goto advance;
		case 0x03: {
			uint16_t d;
			memcpy(&d, p, 2);
			p += 2;
			delta = d * c->code_align;
			goto advance;
		}
		case 0x04: {
			uint32_t d;
			memcpy(&d, p, 4);
			p += 4;
			delta = d * c->code_align;
			goto advance;
		}
		case 0x05: /* offset_extended */
			reg = uleb(&p, end);
			off = (int64_t)uleb(&p, end) * c->data_align;
			if (set_reg(s, reg, 1, off) < 0)
				return -1;
			continue;
		case 0x06: /* restore_extended */
			restore_reg(s, uleb(&p, end));
			continue;
		case 0x07: /* undefined */
			reg = uleb(&p, end);
			if (set_reg(s, reg, 2, 0) < 0)
				return -1;
			continue;
		case 0x08: /* same_value */
			reg = uleb(&p, end);
			if (reg == REG_RA || set_reg(s, reg, 0, 0) < 0)
				return -1;
			continue;
		case 0x09: /* register */
			reg = uleb(&p, end);
			uleb(&p, end);
			if (reg == REG_RBP || reg == REG_RA || reg == REG_RSP)
				return -1;
			continue;
		case 0x0a: /* remember_state */
			if (s->depth == STATE_DEPTH)
				return -1;
			s->stack[s->depth++] = s->row;
			continue;
		case 0x0b: /* restore_state: keeps the CFA rule? no: all */
			if (s->depth == 0)
				return -1;
			s->row = s->stack[--s->depth];
			continue;
		case 0x0c: /* def_cfa */
			s->row.cfa_reg = (uint8_t)uleb(&p, end);
			s->row.cfa_off = (int32_t)uleb(&p, end);
			continue;
		case 0x0d: /* def_cfa_register */
			s->row.cfa_reg = (uint8_t)uleb(&p, end);
			continue;
		case 0x0e: /* def_cfa_offset */
			s->row.cfa_off = (int32_t)uleb(&p, end);
			continue;
		case 0x11: /* offset_extended_sf */
			reg = uleb(&p, end);
			off = sleb(&p, end) * c->data_align;
			if (set_reg(s, reg, 1, off) < 0)
				return -1;
			continue;
		case 0x12: /* def_cfa_sf */
			s->row.cfa_reg = (uint8_t)uleb(&p, end);
			s->row.cfa_off =
			        (int32_t)(sleb(&p, end) * c->data_align);
			continue;
		case 0x13: /* def_cfa_offset_sf */
			s->row.cfa_off =
			        (int32_t)(sleb(&p, end) * c->data_align);
			continue;
		case 0x10: /* expression */
		case 0x14: /* val_offset */
		case 0x15: /* val_offset_sf */
		case 0x16: /* val_expression */
			reg = uleb(&p, end);
			if (reg == REG_RBP || reg == REG_RA || reg == REG_RSP)
				return -1;
			if (op == 0x10 || op == 0x16)
				p += uleb(&p, end);
			else if (op == 0x14)
				uleb(&p, end);
			else
				sleb(&p, end);
			continue;
		case 0x2e: /* GNU_args_size */
			uleb(&p, end);
			continue;
		case 0x2f: /* GNU_negative_offset_extended */
			reg = uleb(&p, end);
			off = -(int64_t)uleb(&p, end) * c->data_align;
			if (set_reg(s, reg, 1, off) < 0)
				return -1;
			continue;
		default: /* def_cfa_expression and anything newer */
			return -1;
		}
	advance:
		s->loc += delta;
		if (s->loc > pc)
			return 1;
	}
	return 0;
}

/* Packs a row; SHIM_RULE_NONE for what the unwinder does not follow. */
static uint64_t pack(const struct cfa_row *r)
{
	uint64_t rule;

	if (r->ra_how == 2 || r->rbp_how == 2)
		return SHIM_RULE_END;
	if (r->cfa_reg != REG_RSP && r->cfa_reg != REG_RBP)
		return SHIM_RULE_NONE;
	if (r->cfa_off < 8 || r->cfa_off > 0x3fffffff)
		return SHIM_RULE_NONE;
	if (r->rbp_how == 1 && (r->rbp_off >= 0 || r->rbp_off < -0x7fff))
		return SHIM_RULE_NONE;
	rule = (uint64_t)(uint32_t)r->cfa_off;
	if (r->cfa_reg == REG_RBP)
		rule |= SHIM_RULE_CFA_RBP;
	if (r->rbp_how == 1)
		rule |= (uint64_t)(uint16_t)(-r->rbp_off) << 32;
	return rule | SHIM_RULE_OK;
}

/* The rule for code address @pc (computed, not cached). */
uint64_t shim_eh_rule(uintptr_t pc)
{
	struct modtab *t = atomic_load_explicit(&mods, memory_order_acquire);
	const struct umod *m = find_mod(t, pc);
	const uint8_t *fde, *p, *end, *cp;
	uintptr_t begin, range;
	struct interp s;
	struct cie cie;
	uint32_t len, cie_off;
	int ok = 1, r;

	if (!m && rebuild() == 0)
		m = find_mod(atomic_load(&mods), pc);
	if (!m || !(fde = find_fde(m, pc)))
		return SHIM_RULE_NONE;
	memcpy(&len, fde, 4);
	if (len == 0 || len == 0xffffffffu)
		return SHIM_RULE_NONE;
	end = fde + 4 + len;
	memcpy(&cie_off, fde + 4, 4);
	cp = fde + 4 - cie_off;
	if (parse_cie(cp, &cie) < 0 || cie.signal)
		return SHIM_RULE_NONE;
	p = fde + 8;
	begin = read_enc(&p, end, cie.fde_enc, &ok);
	range = read_enc(&p, end, cie.fde_enc & 0x0f, &ok);
	if (!ok || pc < begin || pc - begin >= range)
		return SHIM_RULE_NONE;
	if (cie.has_z)
		p += uleb(&p, end);
	memset(&s, 0, sizeof(s));
	s.cie = &cie;
	s.loc = begin;
	s.row.cfa_reg = REG_RSP;
	s.row.ra_how = 0;
	s.row.ra_off = -8;
	if (run(&s, cie.insns, cie.end, (uintptr_t)-1) < 0)
		return SHIM_RULE_NONE;
	s.init = s.row;
	s.depth = 0;
	s.loc = begin;
	r = run(&s, p, end, pc);
	if (r < 0)
		return SHIM_RULE_NONE;
	return pack(&s.row);
}
