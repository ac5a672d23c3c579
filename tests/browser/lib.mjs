// lib.mjs - shared set-up of the browser tests: skip (exit 77) when
// playwright-core or the built cflame is missing, launch headless
// Chromium, and watch the page for console errors and network requests.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export function skip(why) {
	console.log(`SKIP: ${why}`);
	process.exit(77);
}

export async function setup() {
	let pw;
	try {
		pw = await import('playwright-core');
	} catch (e) {
		skip('playwright-core is not installed (run npm ci in tests/browser)');
	}
	const cflame = process.env.CFLAME;
	if (!cflame || !existsSync(cflame)) skip('CFLAME is not set or not built');
	if (!existsSync('/usr/bin/chromium')) skip('no /usr/bin/chromium');
	const browser = await pw.chromium.launch({
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update', '--disable-sync',
			'--no-first-run'],
	});
	const dir = mkdtempSync(join(tmpdir(), 'cflame-browser-'));
	return {
		browser, dir, cflame,
		write(name, text) {
			const p = join(dir, name);
			writeFileSync(p, text);
			return p;
		},
		run(args) {
			return execFileSync(cflame, args, { encoding: 'utf8' });
		},
		url(p) {
			return pathToFileURL(p).href;
		},
		async close() {
			await browser.close();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

// A page that records console errors, page errors and every request.
export async function watchedPage(browser) {
	const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
	const errors = [], requests = [];
	page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
	page.on('pageerror', (e) => errors.push(String(e)));
	page.on('request', (r) => requests.push(r.url()));
	return { page, errors, requests };
}

// Only the file itself may be loaded: nothing from any network.
export function assertOffline(requests, fileUrl) {
	const others = requests.filter((u) => u.split('#')[0] !== fileUrl);
	if (others.length) throw new Error(`unexpected requests: ${others.join(', ')}`);
}

let failures = 0;
export async function check(name, fn) {
	try {
		await fn();
		console.log(`ok - ${name}`);
	} catch (e) {
		failures++;
		console.log(`not ok - ${name}\n  ${e.stack || e}`);
	}
}
export function done() {
	process.exit(failures ? 1 : 0);
}

export function assert(cond, msg) {
	if (!cond) throw new Error(msg);
}

// Stacks with hostile names: markup and quotes must stay text.
export const FOLDED = [
	'main;parse;lex 30',
	'main;parse;<script>window.__pwned=1</script> 10',
	'main;compute;hot_loop 50',
	'main;compute;"&\'<img src=x onerror=window.__pwned=2> 5',
	'main;io 5',
].join('\n') + '\n';
