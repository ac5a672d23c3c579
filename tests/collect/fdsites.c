/*
 * fdsites.c - the table of live descriptors by opening site
 * (lib/collect/fdsites.c): FD event payloads as the shim writes them,
 * applied and counted; fork and exec rules; caps; malformed payloads.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <string.h>

#include "alloc/stream.h"
#include "collect/fdsites.h"

#define P1 100 /* pid */
#define I1 11  /* its instance */

/* Apply op with @n varint fields; returns collect__fdtab_event's. */
static int ev(struct fdtab *t, uint32_t pid, uint64_t inst, uint64_t op, int n,
              ...)
{
	struct cdoc_buf b = CDOC_BUF_INIT;
	va_list ap;
	int i, ret;

	cdoc_varint_put(&b, op);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		cdoc_varint_put(&b, va_arg(ap, uint64_t));
	va_end(ap);
	ret = collect__fdtab_event(t, pid, pid, inst, b.buf, b.len);
	cdoc_buf_release(&b);
	return ret;
}

static int open_fd(struct fdtab *t, uint32_t pid, uint64_t inst, int fd,
                   int stack, int cloexec)
{
	return ev(t, pid, inst, CDOC_AFD_OPEN, 5, (uint64_t)fd,
	          (uint64_t)CDOC_AFD_CALL_OPEN, (uint64_t)CDOC_AFD_TYPE_FILE,
	          (uint64_t)stack, (uint64_t)(cloexec ? CDOC_AFD_CLOEXEC : 0));
}

static int close_fd(struct fdtab *t, uint32_t pid, uint64_t inst, int fd)
{
	return ev(t, pid, inst, CDOC_AFD_CLOSE, 1, (uint64_t)fd);
}

/* Live descriptors of stack @stack in process @pid. */
struct want {
	const struct fdtab *t;
	uint32_t stack, pid;
	uint64_t n;
};

static void add_live(void *arg, uint32_t site, uint32_t pid, uint64_t n)
{
	struct want *w = arg;

	if (w->t->sites[site].stack == w->stack && pid == w->pid)
		w->n += n;
}

static uint64_t live(const struct fdtab *t, uint32_t stack, uint32_t pid)
{
	struct want w = {t, stack, pid, 0};

	collect__fdtab_live(t, add_live, &w);
	return w.n;
}

static uint64_t tallied(const struct fdtab *t, uint32_t stack, int closes)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < t->nr_tallies; i++)
		if (t->sites[t->tallies[i].site].stack == stack)
			n += closes ? t->tallies[i].closes
			            : t->tallies[i].opens;
	return n;
}

Test(fdtab, open_close_live)
{
	struct fdtab t;

	collect__fdtab_init(&t);
	cr_assert_eq(open_fd(&t, P1, I1, 5, 1, 0), 0);
	cr_assert_eq(open_fd(&t, P1, I1, 6, 1, 0), 0);
	cr_assert_eq(open_fd(&t, P1, I1, 7, 2, 0), 0);
	cr_assert_eq(close_fd(&t, P1, I1, 5), 0);
	cr_assert_eq(close_fd(&t, P1, I1, 7), 0);
	cr_assert_eq(close_fd(&t, P1, I1, 9), 0); /* never seen */
	cr_assert_eq(live(&t, 1, P1), 1);
	cr_assert_eq(live(&t, 2, P1), 0);
	cr_assert_eq(tallied(&t, 1, 0), 2);
	cr_assert_eq(tallied(&t, 1, 1), 1);
	cr_assert_eq(tallied(&t, 2, 1), 1);
	cr_assert_eq(t.unknown, 1);
	cr_assert_eq(t.opens, 3);
	collect__fdtab_take(&t, NULL, NULL);
	cr_assert_eq(t.nr_tallies, 0);
	cr_assert_eq(live(&t, 1, P1), 1, "taking tallies keeps the table");
	collect__fdtab_release(&t);
}

Test(fdtab, reopen_closes_the_old)
{
	struct fdtab t;

	collect__fdtab_init(&t);
	open_fd(&t, P1, I1, 4, 1, 0);
	open_fd(&t, P1, I1, 4, 2, 0); /* a close the shim did not see */
	cr_assert_eq(live(&t, 1, P1), 0);
	cr_assert_eq(live(&t, 2, P1), 1);
	cr_assert_eq(tallied(&t, 1, 1), 1);
	collect__fdtab_release(&t);
}

Test(fdtab, fork_child_inherits_without_counting)
{
	struct fdtab t;

	collect__fdtab_init(&t);
	open_fd(&t, P1, I1, 3, 1, 0);
	open_fd(&t, P1, I1, 4, 1, 0);
	cr_assert_eq(ev(&t, P1, I1, CDOC_AFD_FORK, 1, (uint64_t)22), 0);
	/* the child (pid 200, instance 22) closes one inherited fd and
	 * opens one of its own on the same number */
	close_fd(&t, 200, 22, 3);
	open_fd(&t, 200, 22, 3, 5, 0);
	cr_assert_eq(live(&t, 1, P1), 2, "the parent's are its own");
	cr_assert_eq(live(&t, 1, 200), 0, "inherited copies are not live");
	cr_assert_eq(live(&t, 5, 200), 1);
	cr_assert_eq(tallied(&t, 1, 1), 0, "closing a copy is no close");
	/* the parent closes after the fork: the child's copy stays
	 * uncounted, the parent's close counts */
	close_fd(&t, P1, I1, 4);
	cr_assert_eq(tallied(&t, 1, 1), 1);
	cr_assert_eq(live(&t, 1, P1), 1);
	collect__fdtab_release(&t);
}

Test(fdtab, exec_drops_cloexec)
{
	struct fdtab t;

	collect__fdtab_init(&t);
	open_fd(&t, P1, I1, 3, 1, 1); /* O_CLOEXEC */
	open_fd(&t, P1, I1, 4, 1, 0);
	open_fd(&t, P1, I1, 5, 1, 0);
	ev(&t, P1, I1, CDOC_AFD_SETFD, 2, (uint64_t)5,
	   (uint64_t)CDOC_AFD_CLOEXEC);
	/* the new image of the same pid starts */
	cr_assert_eq(ev(&t, P1, 12, CDOC_AFD_EXEC, 0), 0);
	cr_assert_eq(live(&t, 1, P1), 1, "only fd 4 survives exec");
	cr_assert_eq(tallied(&t, 1, 1), 2);
	close_fd(&t, P1, 12, 4); /* closed by the new image */
	cr_assert_eq(live(&t, 1, P1), 0);
	cr_assert_eq(tallied(&t, 1, 1), 3);
	collect__fdtab_release(&t);
}

Test(fdtab, close_range)
{
	struct fdtab t;
	int fd;

	collect__fdtab_init(&t);
	for (fd = 3; fd < 10; fd++)
		open_fd(&t, P1, I1, fd, 1, 0);
	ev(&t, P1, I1, CDOC_AFD_RANGE, 3, (uint64_t)8, (uint64_t)~0u,
	   (uint64_t)CDOC_AFD_CLOEXEC);
	cr_assert_eq(live(&t, 1, P1), 7, "CLOEXEC only marks");
	ev(&t, P1, I1, CDOC_AFD_RANGE, 3, (uint64_t)5, (uint64_t)~0u,
	   (uint64_t)0);
	cr_assert_eq(live(&t, 1, P1), 2);
	cr_assert_eq(tallied(&t, 1, 1), 5);
	collect__fdtab_release(&t);
}

Test(fdtab, caps_are_counted)
{
	struct fdtab t;

	collect__fdtab_init(&t);
	cr_assert_eq(open_fd(&t, P1, I1, FDTAB_MAX_FD, 1, 0), 0);
	cr_assert_eq(t.untracked, 1);
	cr_assert_eq(live(&t, 1, P1), 0);
	cr_assert_leq(t.slots, 64u);
	collect__fdtab_release(&t);
}

Test(fdtab, take_keeps_what_it_is_told)
{
	struct fdtab t;

	collect__fdtab_init(&t);
	open_fd(&t, P1, I1, 3, 1, 0);
	open_fd(&t, P1, I1, 4, 2, 0);
	collect__fdtab_take(&t, NULL, NULL);
	open_fd(&t, P1, I1, 5, 2, 0);
	cr_assert_eq(tallied(&t, 2, 0), 1, "counts start over");
	collect__fdtab_release(&t);
}

Test(fdtab, malformed)
{
	struct fdtab t;
	unsigned char trunc[] = {CDOC_AFD_OPEN, 3, 0x80};
	unsigned char extra[] = {CDOC_AFD_CLOSE, 3, 0};

	collect__fdtab_init(&t);
	cr_assert_eq(ev(&t, P1, I1, 0, 0), -CDOC_EFORMAT);
	cr_assert_eq(ev(&t, P1, I1, 99, 0), -CDOC_EFORMAT);
	cr_assert_eq(collect__fdtab_event(&t, P1, P1, I1, trunc, sizeof(trunc)),
	             -CDOC_EFORMAT);
	cr_assert(strstr(cdoc_errmsg(), "descriptor event, byte "),
	          "the message names the byte: %s", cdoc_errmsg());
	cr_assert_eq(ev(&t, P1, I1, CDOC_AFD_RANGE, 3, (uint64_t)9, (uint64_t)3,
	                (uint64_t)0),
	             -CDOC_EFORMAT, "a range that ends before it starts");
	cr_assert_eq(ev(&t, P1, I1, CDOC_AFD_FORK, 1, (uint64_t)0),
	             -CDOC_EFORMAT, "a fork into instance 0");
	cr_assert_eq(collect__fdtab_event(&t, P1, P1, I1, extra, sizeof(extra)),
	             -CDOC_EFORMAT);
	cr_assert_eq(ev(&t, P1, I1, CDOC_AFD_OPEN, 5, (uint64_t)3,
	                (uint64_t)CDOC_AFD_CALL_NR, (uint64_t)0, (uint64_t)1,
	                (uint64_t)0),
	             -CDOC_EFORMAT);
	cr_assert_eq(ev(&t, P1, I1, CDOC_AFD_OPEN, 5, (uint64_t)3, (uint64_t)0,
	                (uint64_t)0, (uint64_t)0, (uint64_t)0),
	             -CDOC_EFORMAT, "stack id 0");
	cr_assert_eq(collect__fdtab_event(&t, P1, P1, I1, "", 0),
	             -CDOC_EFORMAT);
	cr_assert_eq(t.opens, 0);
	collect__fdtab_release(&t);
}
