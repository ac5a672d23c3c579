/*
 * check.c - cdoctor check: the CI regression gate. Compares the share of
 * each function in the cpu profile (and the allocation profiles present
 * in both recordings) of a new recording against a baseline, with a
 * significance test and a minimum effect (lib/doctor/check.c), and
 * writes the verdict as text, JSON, JUnit XML or Markdown.
 */
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

#include "cdoctor/check.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
        "usage: cdoctor check --baseline BASE.cdr NEW.cdr [OPTIONS]\n"
        "Fail when a function's share of the cpu profile (self or total)\n"
        "rose in NEW against BASE both significantly and by more than a\n"
        "minimum effect; allocation profiles (alloc_count, alloc_bytes,\n"
        "leaked_count, leaked_bytes) are compared too when both have "
        "them.\n\n"
        "  --min-effect PTS   smallest rise that counts, in percentage "
        "points\n"
        "                     of the profile (default 2)\n"
        "  --alpha A          chance of a false alarm over all functions\n"
        "                     (Holm-Bonferroni; default 0.01)\n"
        "  --strict           an inconclusive comparison fails (exit 1)\n"
        "  --format F         text (default), json, junit or markdown\n"
        "  -o FILE            write to FILE instead of standard output\n\n"
        "Exit status: 0 no regression, or inconclusive (too few samples "
        "to\nsee a rise of PTS points; a warning on stderr); 1 "
        "regressions (or\ninconclusive with --strict); 2 usage error, "
        "unreadable recording, or\na recording without cpu samples.\n";

enum fmt { TEXT, JSON, JUNIT, MARKDOWN };

struct args {
	const char *base, *cur, *out;
	enum fmt fmt;
	int strict;
	struct cdoc_check_opts o;
};

static int format(const char *s, enum fmt *f)
{
	static const char *const names[] = {"text", "json", "junit",
	                                    "markdown"};
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i]))
			return *f = (enum fmt)i, 1;
	return 0;
}

/* 1 to go on; otherwise the exit status. */
static int parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
	        {"baseline", required_argument, NULL, 'b'},
	        {"min-effect", required_argument, NULL, 'm'},
	        {"max-regress", required_argument, NULL, 'M'}, /* old name */
	        {"alpha", required_argument, NULL, 'a'},
	        {"strict", no_argument, NULL, 's'},
	        {"format", required_argument, NULL, 'f'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int c;

	cdoc_check_opts_init(&a->o);
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'b')
			a->base = optarg;
		else if (c == 'm' &&
		         cli_parse_double("check", "--min-effect", optarg, 0,
		                          100, &a->o.min_effect))
			return 2;
		else if (c == 'M' &&
		         cli_parse_double("check", "--max-regress", optarg, 0,
		                          100, &a->o.min_effect))
			return 2;
		else if (c == 'a' &&
		         cli_parse_double("check", "--alpha", optarg, 1e-12,
		                          0.5, &a->o.alpha))
			return 2;
		else if (c == 's')
			a->strict = 1;
		else if (c == 'f' && !format(optarg, &a->fmt))
			return cli_usage_error("check", "unknown format '%s'",
			                       optarg);
		else if (c == 'o')
			a->out = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else if (!strchr("mMafso", c))
			return cli_usage_error("check", "bad option");
	}
	if (!a->base || optind != argc - 1)
		return cli_usage_error("check", "expected --baseline BASE and "
		                                "one recording");
	a->cur = argv[optind];
	return 1;
}

/* The exit status for a check_output() result. */
static int exit_status(int status, int strict)
{
	if (status < 0)
		return 2;
	if (status == CDOC_CHECK_INCONCLUSIVE)
		return strict ? 1 : 0;
	return status == CDOC_CHECK_FAIL ? 1 : 0;
}

int cmd_check(int argc, char **argv)
{
	struct cdoc_check_result res = {0};
	struct cdoc_recording ra, rb;
	struct args a = {0};
	int ret = parse(argc, argv, &a);

	if (ret != 1)
		return ret;
	if (cdoc_recording_load(&ra, a.base) < 0)
		return cli_lib_error();
	if (cdoc_recording_load(&rb, a.cur) < 0) {
		cdoc_recording_release(&ra);
		return cli_lib_error();
	}
	if (ra.cut_short)
		cli_error("warning: %s", ra.cut_short);
	if (rb.cut_short)
		cli_error("warning: %s", rb.cut_short);
	ret = cdoc_check_recordings(&ra, &rb, &a.o, &res);
	if (ret < 0)
		ret = cli_lib_error();
	else
		ret = exit_status(
		        check_output(&res, &a.o, a.base, a.out, (int)a.fmt),
		        a.strict);
	cdoc_check_result_release(&res);
	cdoc_recording_release(&ra);
	cdoc_recording_release(&rb);
	return ret;
}
