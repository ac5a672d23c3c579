/*
 * hotspot_pool - a thread-pool HTTP server (THREADS=24 threads blocking in
 * accept/read) where every request checksums a PAYLOAD (16 KiB) payload with a
 * bit-at-a-time CRC-32 in checksum_payload: most of the process's CPU is
 * in that one function of its own code. No lock, no waiting.
 * Right verdict: cpu-hotspot, culprit checksum_payload.
 */
#include "httpd.h"

#include <stdint.h>
#include <string.h>

static unsigned char payload[16384];
static long payload_len;

/* CRC-32, one bit at a time (the slow textbook way). */
__attribute__((noinline)) static uint32_t
checksum_payload(const unsigned char *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static int handle(const struct srv_req *rq, struct srv_out *out)
{
	srv_appendf(out, "%s crc %08x\n", rq->path,
	            checksum_payload(payload, payload_len));
	return 200;
}

int main(void)
{
	payload_len = srv_env("PAYLOAD", 16384);
	if (payload_len > (long)sizeof(payload))
		payload_len = sizeof(payload);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (unsigned char)(i * 131 + 7);
	return srv_run_pool(srv_listen(), (int)srv_env("THREADS", 24), handle);
}
