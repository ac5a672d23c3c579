/*
 * check.c - cdoctor check: the CI regression gate. Compares the share of
 * each function in the cpu profile (and the allocation profiles present
 * in both recordings) of a new recording against a baseline.
 */
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

#include "doctor/doctor.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
        "usage: cdoctor check --baseline BASE.cdr NEW.cdr [OPTIONS]\n"
        "Fail when a function's share of the cpu profile (self or total)\n"
        "in NEW rose against BASE; allocation profiles (alloc_bytes,\n"
        "alloc_count, leaked_bytes) are compared too when both have them.\n\n"
        "  --max-regress PCT  allowed rise in percentage points of the\n"
        "                     profile's total (default 5)\n"
        "  --min-share PCT    ignore functions below PCT %% in NEW "
        "(default 1)\n\n"
        "Exit status: 0 no regression, 1 regressions (a table is "
        "printed),\n2 usage error or unreadable recording.\n";

static const char *const profiles[] = {"cpu", "alloc_bytes", "alloc_count",
                                       "leaked_bytes"};

struct args {
	const char *base, *cur;
	struct cdoc_check_opts o;
};

/* 1 to go on; otherwise the exit status. */
static int parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
	        {"baseline", required_argument, NULL, 'b'},
	        {"max-regress", required_argument, NULL, 'm'},
	        {"min-share", required_argument, NULL, 's'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int c;

	cdoc_check_opts_init(&a->o);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'b')
			a->base = optarg;
		else if (c == 'm' &&
		         cli_parse_double("check", "--max-regress", optarg, 0,
		                          100, &a->o.max_regress))
			return 2;
		else if (c == 's' &&
		         cli_parse_double("check", "--min-share", optarg, 0,
		                          100, &a->o.min_share))
			return 2;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else if (c != 'm' && c != 's')
			return cli_usage_error("check", "bad option");
	}
	if (!a->base || optind != argc - 1)
		return cli_usage_error("check", "expected --baseline BASE and "
		                                "one recording");
	a->cur = argv[optind];
	return 1;
}

static void print_table(const char *prof, const struct cdoc_check_result *res,
                        size_t from)
{
	size_t i;

	for (i = from; i < res->nr; i++) {
		const struct cdoc_regression *x = &res->items[i];

		printf("%-13s %-6s %8.1f%% %8.1f%% %+8.1f  %s\n", prof,
		       x->total ? "total" : "self", x->base, x->cur,
		       x->cur - x->base, x->name);
	}
}

/* Compare profile @name; returns regressions, or -1 when cpu is missing. */
static int compare(struct cdoc_recording *a, struct cdoc_recording *b,
                   const char *name, const struct args *args,
                   struct cdoc_check_result *res, int *header)
{
	struct cdoc_profile *pa = cdoc_recording_profile(a, name);
	struct cdoc_profile *pb = cdoc_recording_profile(b, name);
	size_t from = res->nr, n;

	if (!pa || !pb || !cdoc_profile_total(pa, 0) ||
	    !cdoc_profile_total(pb, 0)) {
		if (!strcmp(name, "cpu")) {
			cli_error("check: %s has no cpu samples",
			          !pa || !cdoc_profile_total(pa, 0)
			                  ? args->base
			                  : args->cur);
			return -1;
		}
		return 0;
	}
	n = cdoc_check_profiles(pa, pb, &args->o, res);
	if (n && !(*header)++)
		printf("%-13s %-6s %9s %9s %8s  %s\n", "profile", "share",
		       "baseline", "current", "points", "function");
	print_table(name, res, from);
	return n;
}

static int run_check(struct cdoc_recording *a, struct cdoc_recording *b,
                     const struct args *args)
{
	struct cdoc_check_result res = {0};
	int header = 0, n, total = 0;
	size_t i;

	for (i = 0; i < CDOC_ARRAY_SIZE(profiles); i++) {
		n = compare(a, b, profiles[i], args, &res, &header);
		if (n < 0) {
			cdoc_check_result_release(&res);
			return 2;
		}
		total += n;
	}
	if (total)
		printf("%d regression%s beyond %.1f points (baseline %s)\n",
		       total, total == 1 ? "" : "s", args->o.max_regress,
		       args->base);
	else
		printf("ok: no function's share rose by more than %.1f points "
		       "(min share %.1f%%)\n",
		       args->o.max_regress, args->o.min_share);
	cdoc_check_result_release(&res);
	return total ? 1 : 0;
}

int cmd_check(int argc, char **argv)
{
	struct args a = {0};
	struct cdoc_recording ra, rb;
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
	ret = run_check(&ra, &rb, &a);
	cdoc_recording_release(&ra);
	cdoc_recording_release(&rb);
	return ret;
}
