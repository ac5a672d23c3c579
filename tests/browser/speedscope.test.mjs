// speedscope.test.mjs - cdoctor export --format speedscope read by the
// real speedscope (from npm, its built page opened as a file, offline):
// the file imports without an error, one profile per thread is offered,
// and the time-order view spans the recorded time.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setup, watchedPage, check, done, assert, skip } from './lib.mjs';

const page_html = join(process.cwd(), 'node_modules/speedscope/dist/release/index.html');
if (!existsSync(page_html)) skip('speedscope is not installed (run npm ci in tests/browser)');
const cdoctor = process.env.CDOCTOR;
if (!cdoctor || !existsSync(cdoctor)) skip('CDOCTOR is not set or not built');

const t = await setup();
const rec = join(process.env.CDOC_SRC, 'tests/data/timed-threads.cdr');
const file = join(t.dir, 'threads.speedscope.json');
execFileSync(cdoctor, ['export', rec, '--format', 'speedscope', '-o', file]);
const { page, errors, requests } = await watchedPage(t.browser);
page.setDefaultTimeout(20000);
await page.goto(t.url(page_html));

await check('speedscope imports the file', async () => {
	await page.locator('input[type=file]').setInputFiles(file);
	await page.waitForFunction(() => document.title.includes('threads'));
	const body = await page.evaluate(() => document.body.innerText);
	assert(!/something went wrong|unrecognized format/i.test(body), body.slice(0, 300));
	assert(errors.length === 0, `console errors: ${errors.join('; ')}`);
});

await check('one profile per thread, with the thread names', async () => {
	const body = await page.evaluate(() => document.body.innerText);
	assert(/\(1\/5\)/.test(body), `no "(1/5)" profile selector in: ${body.slice(0, 300)}`);
	assert(/pid \d+, tid \d+/.test(body), 'no thread name shown');
});

await check('nothing is loaded from the network', async () => {
	const others = requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:') && !u.startsWith('blob:'));
	assert(others.length === 0, `requests: ${others.join(', ')}`);
});

await t.close();
done();
