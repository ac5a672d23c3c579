#!/bin/bash
# attach_owner.sh - attaching to another user's process says that the
# process belongs to someone else (the kernel's ptrace rule), not to lower
# perf_event_paranoid, which would not help. Runs cdoctor as nobody
# against a process of ours; needs root to switch users (else skipped).
set -u
tmp=$(mktemp -d)
trap 'kill "$sp" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "needs root and setpriv to act as another user; skipping"
	exit 77
fi
chmod 755 "$tmp"
cp "$CDOCTOR" "$tmp/cdoctor"
sleep 600 &
sp=$!
(cd "$tmp" && setpriv --reuid=65534 --regid=65534 --clear-groups \
	./cdoctor attach -p "$sp" -d 1 -o "$tmp/x.cdr") >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || { cat "$tmp/err"; fail "attach exited $rc, not 2"; }
grep -q "process $sp belongs to uid $(id -u), not to you" "$tmp/err" ||
	{ cat "$tmp/err"; fail "no ownership in the message"; }
grep -q "sysctl" "$tmp/err" && { cat "$tmp/err"; fail "advises sysctl"; }
echo ok
