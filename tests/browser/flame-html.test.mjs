// flame-html.test.mjs - cflame html in headless Chromium, opened as a
// file: no errors, no requests, hostile names and report text inert, top
// table, click zoom, search percentage, hottest-frame navigation, icicle,
// views, and the state kept in the URL.
import { setup, watchedPage, assertOffline, check, done, assert, FOLDED } from './lib.mjs';

const t = await setup();
const input = t.write('in.folded', FOLDED);
const other = t.write('other.folded', 'main;alloc;malloc 7\nmain;free 3\n');
const report = t.write('report.json', JSON.stringify({
	title: 'Diagnosis </script><script>window.__pwned=3</script>',
	items: [{ severity: 'warning', title: 'CPU bound in <b>compute</b>',
		detail: 'hot_loop takes 50%', recommendation: 'look at hot_loop' }],
	counters: { 'lost samples': 0, 'unwind failures': 12 },
	metadata: { command: './server --port 8080' },
}));
const html = t.write('out.html', t.run(['html', '--report', report,
	'--view', `cpu=${input}`, '--view', `alloc=${other}`]));
const url = t.url(html);
const { page, errors, requests } = await watchedPage(t.browser);
page.setDefaultTimeout(10000);

const drawn = (name) => page.evaluate((n) =>
	window.cdocFlame.drawn().find((d) => d.name === n) || null, name);
const canvasWidth = () => page.evaluate(() =>
	document.getElementById('flame').getBoundingClientRect().width);
const clickFrame = async (name) => {
	const d = await drawn(name);
	assert(d, `${name} not drawn`);
	await page.locator('#flame').click({ position: { x: d.x + d.w / 2, y: d.y + d.h / 2 } });
};

await page.goto(url);

await check('loads without errors and without network requests', async () => {
	assert(errors.length === 0, `console errors: ${errors.join('; ')}`);
	assertOffline(requests, url);
	assert((await page.evaluate(() => window.cdocFlame.drawn().length)) >= 8, 'frames not drawn');
});

await check('report block and names are text, never markup', async () => {
	assert(await page.evaluate(() => window.__pwned === undefined), 'script ran');
	const rep = await page.locator('#report').textContent();
	assert(rep.includes('Diagnosis </script><script>window.__pwned=3</script>'), `report title: ${rep}`);
	assert(rep.includes('CPU bound in <b>compute</b>'), 'item title');
	assert(rep.includes('look at hot_loop') && rep.includes('unwind failures'), 'item/counters');
	assert(await page.locator('#report .item.warning').count() === 1, 'severity class');
	const top = await page.locator('#top tbody').textContent();
	assert(top.includes('<script>window.__pwned=1</script>'), 'hostile name in table');
});

await check('top table ranks by self and by total', async () => {
	const first = await page.locator('#top tbody tr').first().locator('td').allTextContents();
	assert(first[0] === 'hot_loop' && first[1] === '50' && first[2] === '50.00%', `row: ${first}`);
	await page.locator('#top th[data-sort=total]').click();
	const top2 = await page.locator('#top tbody tr').first().locator('td').allTextContents();
	assert(top2[0] === 'main' && top2[3] === '100', `by total: ${top2}`);
});

await check('click zooms: the frame becomes full width, others hide', async () => {
	await clickFrame('compute');
	const d = await drawn('compute');
	const W = await canvasWidth();
	assert(d.x === 0 && Math.abs(d.w - W) < 1, `compute at ${d.x}+${d.w} of ${W}`);
	assert((await drawn('parse')) === null, 'parse still drawn');
	assert(/f=\d+/.test(page.url()), `zoom not in URL: ${page.url()}`);
});

await check('search reports the matched percentage', async () => {
	await page.locator('#search').fill('hot_');
	let m = await page.locator('#matched').textContent();
	assert(m === 'Matched: 90.9%', `zoomed: ${m}`);
	await page.locator('#reset').click();
	m = await page.locator('#matched').textContent();
	assert(m === 'Matched: 50.0%', `whole: ${m}`);
	await page.locator('#search').fill('/^(lex|io)$/');
	m = await page.locator('#matched').textContent();
	assert(m === 'Matched: 35.0%', `regex: ${m}`);
	assert(/s=/.test(page.url()), 'search not in URL');
});

await check('hottest frame, next and previous', async () => {
	await page.locator('#hot').click();
	let det = await page.locator('#details').textContent();
	assert(det.includes('hot #1: hot_loop'), `details: ${det}`);
	await page.locator('#hot-next').click();
	det = await page.locator('#details').textContent();
	assert(det.includes('hot #2: lex'), `next: ${det}`);
	await page.locator('#hot-prev').click();
	det = await page.locator('#details').textContent();
	assert(det.includes('hot #1: hot_loop'), `prev: ${det}`);
	assert(/h=0/.test(page.url()), 'hot index not in URL');
});

await check('icicle toggle and state restored from the URL', async () => {
	await page.locator('#icicle').check();
	const root = await drawn('all');
	assert(root && root.y === 0, 'root not at the top');
	const saved = page.url();
	const p2 = await watchedPage(t.browser);
	await p2.page.goto(saved);
	const st = await p2.page.evaluate(() => window.cdocFlame.state);
	assert(st.i === true && st.h === 0 && st.s === '/^(lex|io)$/', `state: ${JSON.stringify(st)}`);
	assert((await p2.page.locator('#search').inputValue()) === '/^(lex|io)$/', 'search box');
	assert(p2.errors.length === 0, p2.errors.join('; '));
});

await check('views are selectable', async () => {
	await page.locator('#views button', { hasText: 'alloc' }).click();
	assert((await page.evaluate(() => window.cdocFlame.view().name)) === 'alloc', 'view');
	assert((await drawn('malloc')) !== null, 'alloc frames not drawn');
	assert(/v=1/.test(page.url()), 'view not in URL');
	assert(errors.length === 0, errors.join('; '));
	assertOffline(requests, url);
});

await t.close();
done();
