/*
 * push.c - cdoctor push: send a recording's profiles to a Pyroscope
 * server (its /ingest API, pprof format).
 */
#include "collect/collect.h"
#include "common/cli.h"
#include "cdoctor/cdoctor.h"

#include "export/export.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

static const char usage[] =
        "usage: cdoctor push REC --pyroscope URL [--app NAME] "
        "[--labels k=v,...]\n"
        "Send the profiles of recording REC (cpu; heap and off-CPU when "
        "present)\nto a Pyroscope server as pprof, through its /ingest "
        "API.\n\n"
        "  --pyroscope URL  the server, e.g. http://pyroscope:4040\n"
        "  --app NAME       application name (default: the command's "
        "name)\n"
        "  --labels k=v,..  labels of the series (letters, digits, _ . "
        "-)\n"
        "  --timeout SEC    per request (default 30)\n\n"
        "Exit status: 0 sent, 2 usage error, unreadable recording, or the "
        "server\nrefused or could not be reached (the message says "
        "which).\n";

/* 1 to go on; 0 or 2 is the exit status. */
static int parse(int argc, char **argv, struct cdoc_push_opts *o,
                 const char **rec)
{
	static const struct option opts[] = {
	        {"pyroscope", required_argument, NULL, 'u'},
	        {"app", required_argument, NULL, 'a'},
	        {"labels", required_argument, NULL, 'l'},
	        {"timeout", required_argument, NULL, 't'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'u')
			o->url = optarg;
		else if (c == 'a')
			o->app = optarg;
		else if (c == 'l')
			o->labels = optarg;
		else if (c == 't' && cli_parse_long("push", "--timeout", optarg,
		                                    1, 3600, &o->timeout_s))
			return 2;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else if (c != 't')
			return cli_usage_error("push", "bad option");
	}
	if (!o->url || optind != argc - 1)
		return cli_usage_error("push", "expected REC and --pyroscope "
		                               "URL");
	*rec = argv[optind];
	return 1;
}

static struct cdoc_pusher *pusher; /* run --push-interval */

int push_start_interval(struct cdoc_collector *c, const char *url,
                        double interval_s)
{
	struct cdoc_push_opts o = {0};
	struct cdoc_rec_writer *w = cdoc_collect_writer(c);

	o.url = url;
	if (!w)
		return cdoc_error(-EINVAL, "push: no recording to push");
	return cdoc_export_pusher_start(&pusher, w->path, &o, interval_s);
}

int push_after_run(struct cdoc_recording *r, const char *url)
{
	struct cdoc_push_opts o = {0};
	int ret, n = 0;

	o.url = url;
	if (pusher) {
		ret = cdoc_export_pusher_finish(pusher, r, &n);
		push_stop_interval();
		if (ret >= 0 && !n)
			ret = cdoc_error(
			        -CDOC_EFORMAT,
			        "push: the recording has no profile to "
			        "send");
	} else {
		ret = n = cdoc_export_push(r, &o);
	}
	if (ret < 0) {
		cli_error("push failed: %s", cdoc_errmsg());
		return 2;
	}
	fprintf(stderr, "pushed:    %d profile%s to %s\n", n, n == 1 ? "" : "s",
	        url);
	return 0;
}

void push_stop_interval(void)
{
	cdoc_export_pusher_free(pusher);
	pusher = NULL;
}

int cmd_push(int argc, char **argv)
{
	struct cdoc_push_opts o = {0};
	struct cdoc_recording r;
	const char *rec = NULL;
	int ret = parse(argc, argv, &o, &rec);

	if (ret != 1)
		return ret;
	if (cdoc_recording_load(&r, rec) < 0)
		return cli_lib_error();
	if (r.cut_short)
		cli_error("warning: %s", r.cut_short);
	ret = cdoc_export_push(&r, &o);
	cdoc_recording_release(&r);
	if (ret < 0)
		return cli_lib_error();
	fprintf(stderr, "cdoctor: pushed %d profile%s to %s\n", ret,
	        ret == 1 ? "" : "s", o.url);
	return 0;
}
