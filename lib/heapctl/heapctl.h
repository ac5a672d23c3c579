/*
 * heapctl.h - the private control channel of a run that tracks
 * allocations: a Unix socket per run in a directory only its owner can
 * enter, over which `cdoctor heap snapshot PID` asks for a snapshot.
 *
 * Nothing here prints; errors are negative codes with cdoc_errmsg() set.
 */
#ifndef CDOC_HEAPCTL_H
#define CDOC_HEAPCTL_H

#include <sys/types.h>

#include "base/base.h"

/* ---- on-demand snapshots: the run's private control channel ---- */

/*
 * A run that tracks allocations listens on an AF_UNIX stream socket
 * <dir>/<target-pid>.sock in a private directory (see
 * cdoc_heap_control_dir). A client of the same uid sends one line,
 * "snapshot [NAME]\n"; the run takes a snapshot, writes it into its
 * recording and answers "ok NAME RECORDING-PATH\n" or "error MESSAGE\n".
 */
#define CDOC_HEAP_CONTROL_NAME_MAX 48 /* longest snapshot name kept */

/*
 * Make @path a private directory: create it (mode 0700) when missing,
 * then check with lstat() that it is a real directory (not a symlink)
 * owned by the effective uid with no group or other permission bits.
 * Nothing is followed or chmod-ed. 0, or -EPERM (-errno) with a message
 * saying what is wrong and that someone may have planted it.
 */
int cdoc_heap_control_mkdir(const char *path);

/*
 * The directory of control sockets: $XDG_RUNTIME_DIR/cdoctor when
 * XDG_RUNTIME_DIR is set and is a directory of ours without group or
 * other bits, else /tmp/cdoctor-<uid>. With @create it is made and
 * checked (cdoc_heap_control_mkdir). *@out: the path (caller frees).
 */
int cdoc_heap_control_dir(char **out, int create);

/*
 * Turn @name (attacker-free but user-typed) into a snapshot name: at most
 * CDOC_HEAP_CONTROL_NAME_MAX characters of [A-Za-z0-9._:=+-], others
 * become '_'; a name that reads as a number (it would be taken for an
 * index) gets "snap-" in front; empty or NULL gives "ondemand-@seq".
 * Writes into @out (at least CDOC_HEAP_CONTROL_NAME_MAX + 8 bytes).
 */
void cdoc_heap_control_name(const char *name, unsigned seq, char *out,
                            size_t size);

#define CDOC_HEAP_CONTROL_LINE_MAX 255 /* longest request line */

/*
 * Parse one request line (@len bytes, without its newline; a trailing
 * '\r' is ignored): "snapshot" or "snapshot NAME". Writes the snapshot
 * name (cdoc_heap_control_name, with @seq for an unnamed one) to @name.
 * 0 when a name was given, 1 when the run picks one (@seq used), or
 * -CDOC_EFORMAT with a message for anything else.
 */
int cdoc_heap_control_parse(const char *line, size_t len, unsigned seq,
                            char *name, size_t size);

struct cdoc_heap_control; /* the listening side; opaque */

/*
 * Take a snapshot called @name for a control request: 0 and the
 * recording's path appended to @where, or negative with cdoc_errmsg().
 */
typedef int (*cdoc_heap_control_fn)(void *arg, const char *name,
                                    struct cdoc_buf *where);

/*
 * Listen for requests about @pid: make the directory, remove a stale
 * socket of ours at <dir>/<pid>.sock (anything else there is refused),
 * bind and listen (CLOEXEC, NONBLOCK). Stale sockets of other runs in the
 * directory go too: "<N>.sock" sockets of ours that nobody listens on
 * (connect() is refused: the run that made them was killed) and that
 * were bound over 10 s ago (a younger one may be a run between bind()
 * and listen()); anything else there is left alone. 0 or negative with a message.
 * Free with cdoc_heap_control_free(), which unlinks the socket.
 */
int cdoc_heap_control_listen(struct cdoc_heap_control **out, pid_t pid);

/* The descriptor to poll() for POLLIN: ready when a connection, a
 * request or a client's timeout waits for cdoc_heap_control_serve(). */
int cdoc_heap_control_fd(const struct cdoc_heap_control *ctl);

/* The socket's path (borrowed; valid until _free). */
const char *cdoc_heap_control_path(const struct cdoc_heap_control *ctl);

/*
 * Serve what is ready now, never waiting: accept new connections (peers
 * of another uid are refused), read what clients have sent, and for each
 * complete request line call @fn with the sanitized name and send the
 * answer without blocking. A client has CDOC_HEAP_CONTROL_TIMEOUT_MS from
 * its connection to send its line, then it is dropped; at most
 * CDOC_HEAP_CONTROL_CLIENTS wait at once (a new one pushes out the
 * oldest). cdoc_heap_control_fd() becomes readable when there is work,
 * including a timeout to act on. Returns the snapshots taken (>= 0); a
 * client's fault is never an error.
 */
#define CDOC_HEAP_CONTROL_TIMEOUT_MS 2000
#define CDOC_HEAP_CONTROL_CLIENTS    16
int cdoc_heap_control_serve(struct cdoc_heap_control *ctl,
                            cdoc_heap_control_fn fn, void *arg);

/* Close the socket and unlink it (if it is still the one we bound). */
void cdoc_heap_control_free(struct cdoc_heap_control *ctl);

/*
 * Client: ask the run tracking @pid for a snapshot called @name (NULL:
 * the run picks one). Tries the directory of cdoc_heap_control_dir(),
 * then /tmp/cdoctor-<uid> when that differs. Waits at most @timeout_ms
 * for the answer. 0 with *@reply the run's answer line without its
 * newline (caller frees; it may be "error ..."), or negative with a
 * message naming the paths tried.
 */
int cdoc_heap_control_request(pid_t pid, const char *name, int timeout_ms,
                              char **reply);

#endif
