/* cflame.h - cflame's subcommands, one file each. */
#ifndef CFLAME_H
#define CFLAME_H

int cmd_collapse(int argc, char **argv);
int cmd_svg(int argc, char **argv);
int cmd_html(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_top(int argc, char **argv);

#endif
