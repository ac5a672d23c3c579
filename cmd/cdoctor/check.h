/* check.h - cdoctor check's output formats (check_out.c). */
#ifndef CDOCTOR_CHECK_H
#define CDOCTOR_CHECK_H

#include "doctor/doctor.h"

/*
 * Write @res as text, JSON, JUnit XML or Markdown (@fmt 0..3) to @out
 * ("-" or NULL: stdout); warns on stderr when inconclusive. Returns
 * res->status, or -1 after printing a write error.
 */
int check_output(const struct cdoc_check_result *res,
                 const struct cdoc_check_opts *o, const char *base,
                 const char *out, int fmt);

#endif
