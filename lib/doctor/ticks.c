/*
 * ticks.c - the loop threads of a recording's TICKS chunks, cut to the
 * analysis window: tick counts and histogram, and the long ticks that
 * overlap the window, sorted by start.
 */
#include "doctor/internal.h"

void doctor__loops_load(struct vctx *c)
{
	(void)c; /* TICKS chunks arrive with the ticks branch */
}
