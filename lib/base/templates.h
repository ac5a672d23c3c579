/*
 * templates.h - files of report-templates/, embedded at build time.
 */
#ifndef CDOC_TEMPLATES_H
#define CDOC_TEMPLATES_H

#include <stddef.h>

/*
 * The contents of report-templates/@name (NUL-terminated; *@len set to the
 * size without the NUL), or NULL when there is no such template.
 */
const char *cdoc_template(const char *name, size_t *len);

#endif
