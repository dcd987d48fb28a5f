// Shared pieces of the browser tests: a static server for the built page
// (loopback only) and Debian's Chromium driven by playwright-core.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const root = resolve(import.meta.dirname, '../..');
export const dist = resolve(process.env.KUBEPLAY_DIST ?? join(root, 'dist'));
export const screenshots = join(root, 'target', 'screenshots');

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

/** Serves `dist/` on 127.0.0.1 at a free port; resolves to its base URL,
 * the paths asked for so far (`requests`), and `close`, which also cuts
 * open connections so the page finds the network gone. */
export async function serve() {
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`no built page in ${dist}: run the README's test command, which builds it first`);
  }
  const requests = [];
  const server = createServer(async (req, res) => {
    requests.push(new URL(req.url, 'http://x').pathname);
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = join(dist, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dist)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  const close = () =>
    new Promise((ok) => {
      server.close(ok);
      server.closeAllConnections();
    });
  return { url: `http://127.0.0.1:${port}/`, requests, close };
}

/** Starts headless Chromium with the flags this closed network needs
 * (playwright gives every launch a fresh, empty profile). */
export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  return browser;
}

/** Saves a screenshot under target/screenshots/NAME.png. */
export async function shoot(page, name) {
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `${name}.png`) });
}

/** Types a line into the playground terminal and presses Enter; with
 * `expect`, waits until the output shows that text. */
export async function type(page, line, expect) {
  const input = page.getByTestId('terminal-input');
  await input.click();
  await input.fill(line);
  await input.press('Enter');
  if (expect) {
    await page.getByTestId('terminal-output').getByText(expect).last().waitFor();
  }
}

/** Serves the built page, starts Chromium and opens `path` (the
 * playground by default) in a fresh context of `viewport` (other context
 * options pass through), gathering the page's uncaught errors in `errors`.
 * `close` stops the browser and the server; `server` is the server alone. */
export async function open({ path = '', viewport = { width: 1280, height: 720 }, ...options } = {}) {
  const server = await serve();
  const browser = await launch();
  const page = await (await browser.newContext({ viewport, ...options })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}${path}`);
  const close = async () => {
    await browser.close();
    await server.close();
  };
  return { url: server.url, page, errors, close, browser, server };
}

/** `open`s the playground and waits for its terminal; `speed`, a time
 * control's test id (`pause`, `speed-10`), sets the clock first. */
export async function openPlayground({ speed, ...options } = {}) {
  const opened = await open(options);
  await opened.page.getByTestId('terminal-input').waitFor();
  if (speed) {
    await opened.page.getByTestId(speed).click();
  }
  return opened;
}

/** Saturated pixels on a canvas: series colours, not the grey axes. */
export async function coloured(canvas) {
  return canvas.evaluate((c) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 100 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
    }
    return n;
  });
}

/** `open`s the Dashboards page on a fresh session, starts the monitored
 * lab from it, then on the playground runs `prepare(page)` (commands to
 * set the scene), pauses the clock and lets `minutes` simulated minutes
 * pass so Prometheus has scraped; the page is left on the playground. */
export async function openDashboards({ minutes = 6, prepare, viewport = { width: 1400, height: 1000 }, ...options } = {}) {
  const opened = await open({ path: '#/dashboards', viewport, ...options });
  const { page } = opened;
  // A fresh session is the plain lab: the page offers the monitored one.
  await page.getByTestId('start-lab').click();
  await page.getByTestId('dashboards').waitFor();
  await page.locator('.grid').waitFor();
  await page.evaluate(() => { location.hash = '#/'; });
  await page.getByTestId('terminal-input').waitFor();
  await prepare?.(page);
  await page.getByTestId('pause').click();
  for (let i = 0; i < minutes; i++) await page.getByTestId('step-60').click();
  return opened;
}
