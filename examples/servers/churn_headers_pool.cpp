/*
 * churn_headers_pool - a thread-pool HTTP server (THREADS=24) in C++ that
 * renders per-request metadata through std::map<std::string, std::string>
 * and string concatenation in render_header_map: FIELDS (80) keys and
 * values built with std::to_string and operator+, inserted, then joined.
 * Hundreds of short-lived heap allocations per request; nothing leaks.
 * Right verdict: alloc-churn, culprit render_header_map.
 */
#include "httpd.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <string>

static long nfields;

/* Builds the metadata map and joins it into one string. */
__attribute__((noinline)) std::string render_header_map(const srv_req *rq)
{
	std::map<std::string, std::string> fields;
	std::string joined;

	for (long i = 0; i < nfields; i++)
		fields["x-field-" + std::to_string(i) + "-of-request"] =
		        std::string(rq->path) + "/" +
		        std::to_string(rq->seq * i);
	for (const auto &kv : fields)
		joined += kv.first + ": " + kv.second + "\n";
	return joined;
}

static int handle(const srv_req *rq, srv_out *out)
{
	std::string h = render_header_map(rq);

	srv_appendf(out, "%s %zu bytes of metadata\n", rq->path, h.size());
	return 200;
}

int main()
{
	nfields = srv_env("FIELDS", 80);
	return srv_run_pool(srv_listen(), (int)srv_env("THREADS", 24), handle);
}
