/* cdoctor.h - cdoctor's subcommands, one file each. */
#ifndef CDOCTOR_H
#define CDOCTOR_H

int cmd_run(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_heap(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_sysinfo(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_merge(int argc, char **argv);

struct cdoc_recording;

/*
 * push.c: send @r's profiles to the Pyroscope server at @url (after
 * `cdoctor run --push URL`); prints what happened. 0 or 2.
 */
int push_after_run(struct cdoc_recording *r, const char *url);
/* run --push-interval: push the recording of @c every @interval_s
 * seconds while it runs (push_after_run sends the rest); 0 or negative
 * with a message. push_stop_interval stops it (idempotent). */
struct cdoc_collector;
int push_start_interval(struct cdoc_collector *c, const char *url,
                        double interval_s);
void push_stop_interval(void);

#endif
