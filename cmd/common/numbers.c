/*
 * numbers.c - numbers from the command line, parsed whole: "3x", "", "abc"
 * and values out of range are usage errors (exit 2) naming the option,
 * never read as 0 or as their leading digits.
 */
#include "common/cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

int cli_strtol(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_long(const char *sub, const char *opt, const char *arg, long min,
                   long max, long *out)
{
	long v;

	if (cli_strtol(arg, &v) == 0 && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	if (max == LONG_MAX)
		return cli_usage_error(sub,
		                       "%s: '%s' is not a number of at "
		                       "least %ld",
		                       opt, arg, min);
	return cli_usage_error(sub, "%s: '%s' is not a number from %ld to %ld",
	                       opt, arg, min, max);
}

int cli_parse_double(const char *sub, const char *opt, const char *arg,
                     double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!errno && end != arg && !*end && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	if (max == HUGE_VAL)
		return cli_usage_error(sub,
		                       "%s: '%s' is not a number of at "
		                       "least %g",
		                       opt, arg, min);
	return cli_usage_error(sub, "%s: '%s' is not a number from %g to %g",
	                       opt, arg, min, max);
}
