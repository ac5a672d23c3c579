/*
 * json.c - libFuzzer target for the JSON syntax check (cflame html
 * --report): no crash on any input, and an object that passes stops
 * passing when its last byte (after trailing white space) is cut off.
 */
#include <stdlib.h>

#include "base/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	size_t end = len;

	cdoc_json_check(data, len, 0, "fuzz.json");
	if (cdoc_json_check(data, len, 1, "fuzz.json") < 0)
		return 0;
	while (end > 0 && (data[end - 1] == ' ' || data[end - 1] == '\n' ||
	                   data[end - 1] == '\r' || data[end - 1] == '\t'))
		end--;
	if (end == 0 || cdoc_json_check(data, end - 1, 1, "fuzz.json") == 0)
		abort();
	return 0;
}
