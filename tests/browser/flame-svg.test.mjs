// flame-svg.test.mjs - cflame svg in headless Chromium, opened as a file:
// no errors, no requests, hostile names inert, click zooms, search
// highlights with a matched percentage, state survives a reload.
import { setup, watchedPage, assertOffline, check, done, assert, FOLDED } from './lib.mjs';

const t = await setup();
const input = t.write('in.folded', FOLDED);
const svg = t.write('out.svg', t.run(['svg', input]));
const url = t.url(svg);
const { page, errors, requests } = await watchedPage(t.browser);

const rect = (name) => page.evaluate((n) => {
	for (const g of document.querySelectorAll('#frames > g')) {
		const title = g.querySelector('title').textContent;
		if (title.startsWith(n + ' (')) {
			const r = g.querySelector('rect');
			return { w: parseFloat(r.getAttribute('width')),
				hidden: g.classList.contains('hide'),
				fill: r.getAttribute('fill') };
		}
	}
	return null;
}, name);

// Click the rectangle of the frame whose title starts with "NAME (".
const clickFrame = async (name) => {
	const i = await page.evaluate((n) => [...document.querySelectorAll('#frames > g')]
		.findIndex((g) => g.querySelector('title').textContent.startsWith(n + ' (')), name);
	assert(i >= 0, `no frame ${name}`);
	await page.locator('#frames > g').nth(i).locator('rect').click();
};

page.setDefaultTimeout(10000);
await page.goto(url);

await check('loads without errors and without network requests', async () => {
	assert((await page.locator('#frames > g').count()) >= 8, 'frames missing');
	assert(errors.length === 0, `console errors: ${errors.join('; ')}`);
	assertOffline(requests, url);
});

await check('hostile names stay text', async () => {
	assert(await page.evaluate(() => window.__pwned === undefined), 'script ran');
	assert(await page.evaluate(() => document.querySelectorAll('script').length === 1),
		'a name became a script element');
	assert((await rect('<script>window.__pwned=1</script>')) !== null,
		'hostile name not shown as text');
});

await check('click zooms: the frame becomes full width, others hide', async () => {
	const before = await rect('compute');
	await clickFrame('compute');
	const after = await rect('compute');
	assert(after.w > before.w && Math.abs(after.w - 1180) < 0.5,
		`compute width ${before.w} -> ${after.w}`);
	assert((await rect('parse')).hidden, 'parse still shown');
	assert((await rect('hot_loop')).w > 1000, 'child not scaled');
	assert(!(await page.locator('#unzoom').getAttribute('class')).includes('hide'),
		'no reset zoom');
	assert(/#.*f=\d+/.test(page.url()), `zoom not in URL: ${page.url()}`);
});

await check('search highlights and reports the matched percentage', async () => {
	page.once('dialog', (d) => d.accept('hot_'));
	await page.locator('#search').click();
	const m = await page.locator('#matched').textContent();
	// Zoomed into compute (55 samples): hot_loop has 50.
	assert(m.trim() === 'Matched: 90.9%', `matched text: ${m}`);
	assert((await rect('hot_loop')).fill === 'rgb(230,0,230)', 'not highlighted');
	assert(/s=hot_/.test(page.url()), `search not in URL: ${page.url()}`);
});

await check('state survives reopening the URL', async () => {
	const saved = page.url();
	const p2 = await watchedPage(t.browser);
	await p2.page.goto(saved);
	const w = await p2.page.evaluate(() => {
		for (const g of document.querySelectorAll('#frames > g'))
			if (g.querySelector('title').textContent.startsWith('compute ('))
				return parseFloat(g.querySelector('rect').getAttribute('width'));
	});
	assert(Math.abs(w - 1180) < 0.5, `zoom not restored (${w})`);
	const m = await p2.page.locator('#matched').textContent();
	assert(m.includes('90.9%'), `search not restored: ${m}`);
	assert(p2.errors.length === 0, p2.errors.join('; '));
});

await check('reset zoom restores all frames', async () => {
	await page.locator('#unzoom').click();
	assert(!(await rect('parse')).hidden, 'parse still hidden');
	const m = await page.locator('#matched').textContent();
	assert(m.trim() === 'Matched: 50.0%', `matched after reset: ${m}`);
	assert(errors.length === 0, errors.join('; '));
});

await t.close();
done();
