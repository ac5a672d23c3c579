/*
 * ticks.h - event-loop ticks from the shim's stream (EXT TICKS records)
 * to TICKS chunks: the part of the shim source (shim.c) that ticks.c
 * implements. Nothing else in lib/collect uses it.
 */
#ifndef CDOC_COLLECT_TICKS_H
#define CDOC_COLLECT_TICKS_H

#include <stddef.h>
#include <stdint.h>

struct cdoc_rec_writer;

/* A thread is written as a loop once it has made this many wait calls. */
#define TICKS_MIN_WAITS 10

struct ticks_src;

/* @t0: the run's start (CLOCK_MONOTONIC ns), the zero of recorded times. */
struct ticks_src *collect__ticks_new(uint64_t t0);
void collect__ticks_free(struct ticks_src *t);

/* One EXT TICKS payload of thread @tid of process @pid. 0, or
 * -CDOC_EFORMAT with a message for a malformed payload. */
int collect__ticks_take(struct ticks_src *t, uint32_t pid, uint32_t tid,
                        const void *payload, size_t len);

/* Write a TICKS chunk for each loop thread that ticked since the last
 * call. 0 or a negative code. */
int collect__ticks_write(struct ticks_src *t, struct cdoc_rec_writer *w);

/* Ticks of loop threads written so far. */
uint64_t collect__ticks_total(const struct ticks_src *t);

#endif
