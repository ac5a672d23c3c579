/*
 * folded.c - fuzz the folded-stack readers and the renderers behind them:
 * cdoc_profile_load_folded() then cdoc_flame_svg() and cdoc_flame_html(),
 * the direct path cdoc_flame_svg_inputs() (which must draw the very same
 * SVG whenever both accept the input), and the flame chart reader.
 */
#include <stdlib.h>
#include <string.h>

#include "flame/flame.h"

static void check_same(const struct cdoc_buf *a, const struct cdoc_buf *b)
{
	if (a->len != b->len || (a->len && memcmp(a->buf, b->buf, a->len)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdoc_buf tree = CDOC_BUF_INIT, direct = CDOC_BUF_INIT;
	struct cdoc_buf page = CDOC_BUF_INIT;
	struct cdoc_flame_opts o;
	struct cdoc_profile p;
	struct cdoc_flame_chart c;
	struct cdoc_input in;
	const struct cdoc_input *ins[] = {&in};
	int a, b;

	cdoc_input_from_mem(&in, "fuzz", (const char *)data, size);
	cdoc_flame_opts_init(&o);
	cdoc_profile_init(&p);
	a = cdoc_profile_load_folded(&p, &in, 0);
	if (a == 0) {
		struct cdoc_flame_view v = {"cpu", &p, 0, "samples"};

		a = cdoc_flame_svg(&tree, &p, &o);
		cdoc_flame_html(&page, &v, 1, NULL);
	}
	b = cdoc_flame_svg_inputs(&direct, ins, 1, &o);
	/* Equal pictures when both draw one (and no sum overflowed). */
	if (a == 0 && b == 0 && cdoc_profile_total(&p, 0) < (1ULL << 52) &&
	    cdoc_profile_total(&p, 1) < (1ULL << 52))
		check_same(&tree, &direct);
	cdoc_flame_chart_init(&c);
	cdoc_flame_chart_load(&c, &in, 1);
	cdoc_buf_reset(&direct);
	cdoc_flame_chart_svg(&direct, &c, &o);
	cdoc_flame_chart_release(&c);
	cdoc_profile_release(&p);
	cdoc_buf_release(&tree);
	cdoc_buf_release(&direct);
	cdoc_buf_release(&page);
	cdoc_input_release(&in);
	return 0;
}
