// report-evidence.test.mjs - the doctor's evidence in cdoctor's HTML
// report, in headless Chromium, for real recordings: examples/loop_ticks
// (an event loop whose handler burns ~30 ms of CPU every 50th turn, 2000
// turns of >= 1 ms, so the run spans several 200 ms intervals) and
// examples/offcpu_waits (threads that lock, fsync, poll and sleep), both
// under cdoctor run. Asserts: the event-loop delay chart has data and
// long-tick marks; the "blocked loop" tab exists and has frames (the slow
// handler among them); selecting a time range filters it; the off-CPU
// chart and tabs show time (when the machine lets perf sample off-CPU);
// tabs switch; runtime internals collapse; no console errors, no network
// requests. With SHOTS=DIR it saves docs/report-evidence.png.
import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setup, watchedPage, assertOffline, check, done, assert, skip } from './lib.mjs';

const t = await setup();
const cdoctor = process.env.CDOCTOR, ex = process.env.CDOC_EXAMPLES;
if (!cdoctor || !existsSync(cdoctor) || !ex) skip('CDOCTOR or CDOC_EXAMPLES not set');

// Run in the temporary directory with relative names (the programs through
// links there): the page shows ./loop_ticks and loop.cdr, not a path of
// this machine.
function record(name, args) {
	symlinkSync(join(ex, args[0]), join(t.dir, args[0]));
	args = [`./${args[0]}`, ...args.slice(1)];
	try {
		execFileSync(cdoctor, ['run', '--no-html', '-o', `${name}.cdr`, '--', ...args],
			{ stdio: 'pipe', cwd: t.dir });
		execFileSync(cdoctor, ['report', '--html', `${name}.html`, `${name}.cdr`],
			{ stdio: 'pipe', cwd: t.dir });
	} catch (e) {
		skip(`cdoctor run ${args[0]} failed here: ${e.stderr}`);
	}
	return t.url(join(t.dir, `${name}.html`));
}
const loopUrl = record('loop', ['loop_ticks', 'epoll', '2000', '50']);
const offUrl = record('waits', ['offcpu_waits', '1']);

const { page, errors, requests } = await watchedPage(t.browser);
page.setDefaultTimeout(10000);
const R = (fn, arg) => page.evaluate(fn, arg);
await page.goto(loopUrl);

await check('loop report loads without errors and without network requests', async () => {
	assert(errors.length === 0, `console errors: ${errors.join('; ')}`);
	assertOffline(requests, loopUrl);
});

await check('event-loop delay chart has data and long-tick marks', async () => {
	const charts = await R(() => window.cdocReport.charts());
	const c = charts.find((x) => x.id === 'ticks');
	assert(c, `no ticks chart: ${charts.map((x) => x.id)}`);
	assert(c.points > 0, `ticks chart has no points: ${JSON.stringify(c)}`);
	const marks = await R(() => window.cdocReport.marks('ticks'));
	assert(marks >= 1, `long ticks marked: ${marks}`);
	assert(/long ticks/.test(c.vals), `legend: ${c.vals}`);
	await page.locator('#chart-ticks').scrollIntoViewIfNeeded();
	const box = await page.locator('#chart-ticks canvas').boundingBox();
	await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
	const vals = await page.locator('#chart-ticks .vals').textContent();
	assert(/p99, thread \d+ [\d.]+ ms/.test(vals), `hover values: ${vals}`);
});

await check('descriptors by type are charted when procfs was sampled', async () => {
	const ids = (await R(() => window.cdocReport.charts())).map((c) => c.id);
	// loop_ticks holds a timerfd and an epoll fd the whole run: with any
	// procfs sample (the cpu chart), fds_other is not 0.
	if (!ids.includes('cpu')) return;
	assert(ids.includes('fds'), `no fds chart: ${ids}`);
	const vals = await R(() => window.cdocReport.charts().find((c) => c.id === 'fds').vals);
	assert(/other/.test(vals), `fds legend: ${vals}`);
});

await check('the blocked-loop tab exists and has frames', async () => {
	const tabs = await R(() => window.cdocReport.tabs());
	const i = tabs.findIndex((p) => p.name === 'blocked_loop');
	assert(i >= 0, `no blocked_loop tab: ${tabs.map((p) => p.name)}`);
	assert(tabs[i].unit === 'ns' && tabs[i].total > 0, JSON.stringify(tabs[i]));
	await page.locator('#tabs button[data-tab=blocked_loop]').click();
	assert(await R(() => window.cdocReport.profile().name) === 'blocked_loop', 'tab not switched');
	const names = (await R(() => window.cdocReport.drawn())).map((d) => d.name);
	assert(names.length > 2, `frames: ${names}`);
	assert(names.some((n) => /slow_handler/.test(n)), `slow_handler not in the blocked loop: ${names}`);
	const title = await page.locator('#tabs button[data-tab=blocked_loop]').getAttribute('title');
	assert(/\d (ns|µs|ms|s)\)$/.test(title), `tab title without a time: ${title}`);
});

await check('a time range filters the blocked-loop flame graph', async () => {
	const whole = await R(() => window.cdocReport.profile().w.total[0]);
	await R(() => window.cdocReport.setRange([0, 0.0001]));
	const st = await R(() => ({ total: window.cdocReport.profile().w.total[0],
		filtered: window.cdocReport.profile().w.filtered }));
	assert(st.filtered, 'blocked_loop has no sample times');
	assert(st.total < whole, `range total ${st.total} vs whole ${whole}`);
	await page.locator('#clear-range').click();
	assert(await R(() => window.cdocReport.profile().w.total[0]) === whole, 'clear restores');
});

await check('runtime internals collapse and come back', async () => {
	await page.locator('#tabs button[data-tab=cpu]').click();
	const before = await R(() => window.cdocReport.profile().parent.length);
	const whole = await R(() => window.cdocReport.profile().w.total[0]);
	await page.locator('#collapse').check();
	const after = await R(() => ({ nodes: window.cdocReport.profile().parent.length,
		total: window.cdocReport.profile().w.total[0],
		internal: window.cdocReport.drawn().filter((d) => /_\[k\]$|^__libc_|^start_thread$|^clone3?$/.test(d.name)).length }));
	assert(after.total === whole, `collapsing changed the total: ${after.total} vs ${whole}`);
	assert(after.nodes <= before, `nodes ${after.nodes} > ${before}`);
	assert(after.internal === 0, `internal frames still drawn: ${after.internal}`);
	await page.locator('#collapse').uncheck();
	assert(await R(() => window.cdocReport.profile().parent.length) === before, 'uncollapsed');
});

if (process.env.SHOTS) {
	await page.locator('#tabs button[data-tab=blocked_loop]').click();
	await R(() => document.getElementById('chart-ticks').scrollIntoView({ block: 'start' }));
	const box = await page.locator('#chart-ticks canvas').boundingBox();
	await page.mouse.move(box.x + box.width * 0.55, box.y + 40);
	await page.screenshot({ path: join(process.env.SHOTS, 'report-evidence.png') });
}

const off = await watchedPage(t.browser);
off.page.setDefaultTimeout(10000);
await off.page.goto(offUrl);
{
const { page, errors, requests } = off;
const R = (fn, arg) => page.evaluate(fn, arg);

await check('off-CPU report: charts and tabs in time units, offline', async () => {
	assert(errors.length === 0, `console errors: ${errors.join('; ')}`);
	assertOffline(requests, offUrl);
	const tabs = await R(() => window.cdocReport.tabs());
	const off = tabs.filter((p) => p.name.startsWith('offcpu_'));
	const ids = (await R(() => window.cdocReport.charts())).map((c) => c.id);
	if (!off.length) {
		// perf_event_paranoid or a container may forbid off-CPU sampling:
		// then neither tabs nor chart, and the run says why in META offcpu.
		assert(!ids.includes('offcpu'), `offcpu chart without profiles: ${ids}`);
		console.log('# off-CPU sampling is off on this machine: checked its absence only');
		return;
	}
	assert(off.every((p) => p.unit === 'ns'), JSON.stringify(off));
	assert(ids.includes('offcpu'), `no offcpu chart: ${ids}`);
	await page.locator(`#tabs button[data-tab=${off[0].name}]`).click();
	assert(await R(() => window.cdocReport.profile().name) === off[0].name, 'tab not switched');
	assert(await R(() => window.cdocReport.drawn().length) > 1, 'frames drawn');
	await page.locator('#flame').scrollIntoViewIfNeeded();
	const box = await page.locator('#flame').boundingBox();
	await page.mouse.move(box.x + 20, box.y + box.height - 5);
	const d = await page.locator('#details').textContent();
	assert(/\d(\.\d+)? (ns|µs|ms|s) \(/.test(d), `details in time units: ${d}`);
	const vals = await R(() => window.cdocReport.charts().find((c) => c.id === 'offcpu').vals);
	assert(/lock|disk|net|sleep|other/.test(vals), `offcpu legend: ${vals}`);
});

await check('fd and zero series: folded away, no errors', async () => {
	const zeroShown = await page.locator('#zero').isVisible();
	const charts = await R(() => window.cdocReport.charts());
	assert(charts.every((c) => c.points > 0), 'a drawn chart without points');
	if (zeroShown)
		assert(/folded away/.test(await page.locator('#zero summary').textContent()), 'zero summary');
	assert(errors.length === 0, errors.join('; '));
	assertOffline(requests, offUrl);
});
}

await t.close();
done();
