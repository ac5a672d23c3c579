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

#endif
