// report-doctor.test.mjs - cdoctor's HTML doctor report in headless
// Chromium, for a real recording (examples/leaky_server under cdoctor
// run --alloc: exact allocation tracking, so the leak is always in the
// recording; sampled tracking can miss a small one): no errors, no
// requests, the main finding on top, charts drawn with data, hover shows
// values at the crosshair, selecting a time range changes the flame graph,
// tabs switch, findings link to their chart and tab. With SHOTS=DIR it
// also saves the screenshots used in docs/reports.md.
import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setup, watchedPage, assertOffline, check, done, assert, skip } from './lib.mjs';

const t = await setup();
const cdoctor = process.env.CDOCTOR, ex = process.env.CDOC_EXAMPLES;
if (!cdoctor || !existsSync(cdoctor) || !ex) skip('CDOCTOR or CDOC_EXAMPLES not set');
// Run in the temporary directory with relative names (the program through
// a link there): the page shows ./leaky_server and leaky.cdr, no path of
// this machine (its screenshots go into docs/).
const html = join(t.dir, 'leaky.html');
symlinkSync(join(ex, 'leaky_server'), join(t.dir, 'leaky_server'));
try {
	execFileSync(cdoctor, ['run', '--no-html', '--alloc', '-o', 'leaky.cdr', '--',
		'./leaky_server', '6000', '300'], { stdio: 'pipe', cwd: t.dir });
} catch (e) {
	skip(`cdoctor run failed here: ${e.stderr}`);
}
execFileSync(cdoctor, ['report', '--html', 'leaky.html', 'leaky.cdr'], { cwd: t.dir });
const url = t.url(html);
const { page, errors, requests } = await watchedPage(t.browser);
page.setDefaultTimeout(10000);
await page.goto(url);
const R = (fn, arg) => page.evaluate(fn, arg);

await check('loads without errors and without network requests', async () => {
	assert(errors.length === 0, `console errors: ${errors.join('; ')}`);
	assertOffline(requests, url);
});

await check('the main finding comes first, with recommendations', async () => {
	const first = page.locator('body > section').first();
	assert((await first.getAttribute('id')) === 'main', 'main section first');
	assert(await page.locator('#main .item.main h3').count() === 1, 'one main finding');
	assert((await page.locator('#main .item.main .rec').textContent()).length > 5, 'recommendation');
});

await check('charts render with data on one time axis', async () => {
	const charts = await R(() => window.cdocReport.charts());
	const ids = charts.map((c) => c.id);
	for (const id of ['cpu', 'memory', 'threads'])
		assert(ids.includes(id), `no ${id} chart: ${ids}`);
	assert(charts.every((c) => c.points > 0), JSON.stringify(charts));
	// Pixels were drawn: the memory chart is not blank.
	const inked = await R(() => {
		const c = document.querySelector('#chart-memory canvas');
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
		return n;
	});
	assert(inked > 500, `memory chart has ${inked} painted pixels`);
});

await check('hover shows values at the crosshair on every chart', async () => {
	const box = await page.locator('#chart-memory canvas').boundingBox();
	await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
	const vals = await page.locator('#chart-memory .vals').textContent();
	assert(/RSS \d[\d.]* (B|KiB|MiB|GiB)/.test(vals), `memory values: ${vals}`);
	const cpu = await page.locator('#chart-cpu .vals').textContent();
	assert(/user \d[\d.]* %/.test(cpu), `crosshair shared with cpu: ${cpu}`);
	assert(await R(() => window.cdocReport.state.cursor !== null), 'cursor');
});

await check('selecting a time range filters the flame graph', async () => {
	const whole = await R(() => window.cdocReport.profile().w.total[0]);
	const box = await page.locator('#chart-cpu canvas').boundingBox();
	const x0 = box.x + 64, w = box.width - 76;
	await page.mouse.move(x0 + w * 0.05, box.y + 40);
	await page.mouse.down();
	await page.mouse.move(x0 + w * 0.3, box.y + 40, { steps: 5 });
	await page.mouse.up();
	const st = await R(() => ({ range: window.cdocReport.state.range,
		total: window.cdocReport.profile().w.total[0],
		filtered: window.cdocReport.profile().w.filtered }));
	assert(st.range && st.range[1] > st.range[0], `range: ${JSON.stringify(st)}`);
	assert(st.filtered, 'cpu profile has sample times but was not filtered');
	assert(st.total < whole, `range total ${st.total} vs whole ${whole}`);
	assert((await page.locator('#range').textContent()).startsWith('Range '), 'range label');
	await page.locator('#clear-range').click();
	assert(await R(() => window.cdocReport.profile().w.total[0]) === whole, 'clear restores');
});

await check('tabs switch between profiles', async () => {
	const tabs = await page.locator('#tabs button').allTextContents();
	assert(tabs[0] === 'cpu' && tabs.length >= 2, `tabs: ${tabs}`);
	const other = tabs.find((n) => /alloc|leak/.test(n));
	assert(other, `no allocation tab: ${tabs}`);
	await page.locator('#tabs button', { hasText: other }).first().click();
	assert(await R(() => window.cdocReport.profile().name) === other, 'tab not switched');
	assert(await page.locator('#tabs button.active').textContent() === other, 'active tab');
	assert(await R(() => window.cdocReport.drawn().length) > 3, 'frames drawn');
});

await check('findings link to the chart and tab that prove them', async () => {
	const link = page.locator('a.to-tab[data-tab=cpu]').first();
	assert(await link.count() === 1, 'no finding links to the cpu flame graph');
	await link.click();
	assert(await R(() => window.cdocReport.profile().name) === 'cpu', 'tab link');
	const chartLink = page.locator('a.to-chart').first();
	const id = await chartLink.getAttribute('data-chart');
	await chartLink.click();
	assert(await page.locator(`#chart-${id}.flash`).count() === 1, `chart ${id} not highlighted`);
	assert(await page.locator(`#chart-${id}`).isVisible(), 'chart visible');
});

await check('all-zero series fold away, search works, still offline', async () => {
	const ids = (await R(() => window.cdocReport.charts())).map((c) => c.id);
	const zero = await page.locator('#zero').isVisible();
	assert(zero || ids.length >= 5, 'zero series neither folded nor charted');
	await page.locator('#search').fill('remember_session');
	await page.locator('#tabs button', { hasText: 'leaked_bytes' }).click();
	const m = await page.locator('#matched').textContent();
	assert(/^Matched: \d/.test(m), `search: ${m}`);
	assert(errors.length === 0, errors.join('; '));
	assertOffline(requests, url);
});

if (process.env.SHOTS) {
	await page.waitForTimeout(1700); // the link's highlight fades (screenshots only)
	await page.locator('#search').fill('');
	await page.locator('#tabs button', { hasText: 'cpu' }).first().click();
	await page.evaluate(() => window.scrollTo(0, 0));
	const box = await page.locator('#chart-cpu canvas').boundingBox();
	await page.mouse.move(box.x + box.width * 0.6, box.y + 50);
	await page.screenshot({ path: join(process.env.SHOTS, 'report-html.png') });
	await page.locator('#flames').scrollIntoViewIfNeeded();
	await page.locator('#flames').screenshot({ path: join(process.env.SHOTS, 'report-flame.png') });
}

await t.close();
done();
