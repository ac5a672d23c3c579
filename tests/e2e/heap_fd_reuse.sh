#!/bin/bash
# heap_fd_reuse: a tracked program that closes its descriptors and reuses
# the channel's fd number for a file of its own, then runs a child (which
# inherits the shim and CDOC_ALLOC_FD): the shim must never write its
# stream into that file. The file holds exactly what the program wrote.
set -u
: "${CDOCTOR:?}" "${CDOC_SHIM:?}"
[ -f "$CDOC_SHIM" ] || exit 77
command -v cc >/dev/null || { echo "SKIP: no cc"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cat >"$tmp/fdreuse.c" <<'C'
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	const char *e = getenv("CDOC_ALLOC_FD");
	int fd = e ? atoi(e) : 3, out, i;
	char *p;

	for (i = 3; i < 256; i++)
		close(i);
	out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out != fd) {
		dup2(out, fd);
		close(out);
	}
	if (write(fd, "user data\n", 10) != 10)
		return 1;
	p = malloc(100); /* tracked or not, never written to fd */
	memset(p, 0, 100);
	free(p);
	return system("ls / >/dev/null");
}
C
cc -O1 -o "$tmp/fdreuse" "$tmp/fdreuse.c" || fail "compile"
CDOC_SHIM=$CDOC_SHIM "$CDOCTOR" run --alloc --no-html -o "$tmp/r.cdr" \
	-- "$tmp/fdreuse" "$tmp/data.txt" >/dev/null 2>"$tmp/err" ||
	fail "run failed: $(cat "$tmp/err")"
printf 'user data\n' | cmp - "$tmp/data.txt" ||
	fail "the program's file was written to: $(od -c "$tmp/data.txt" | head -3)"
echo "ok: the program's file holds only its own data"
