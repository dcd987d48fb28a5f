// Moving panels on the 24-column grid and typing a time range, as in
// Grafana: a panel dragged by its header goes where it is dropped and the
// others make room, its corner resizes it, its move handle takes arrows
// (Shift+arrows resize); the time picker takes date math and absolute
// times with Grafana's complaints; the new gridPos and range are in the
// exported JSON, and Save keeps both across a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openDashboards, shoot } from './harness.mjs';

let page;
let errors;
let close;

const ROW = 38; // 30 px grid row + 8 px margin

const dashboard = {
  uid: 'layout-lab',
  title: 'Layout lab',
  schemaVersion: 39,
  time: { from: 'now-30m', to: 'now' },
  panels: [
    { id: 1, type: 'timeseries', title: 'CPU', gridPos: { x: 0, y: 0, w: 12, h: 8 },
      targets: [{ refId: 'A', expr: 'sum(rate(node_cpu_seconds_total{mode!="idle"}[$__rate_interval]))' }] },
    { id: 2, type: 'stat', title: 'Targets up', gridPos: { x: 12, y: 0, w: 12, h: 8 },
      targets: [{ refId: 'A', expr: 'count(up == 1)' }] },
    { id: 3, type: 'timeseries', title: 'Memory', gridPos: { x: 0, y: 8, w: 24, h: 8 },
      targets: [{ refId: 'A', expr: 'sum(node_memory_MemAvailable_bytes)' }] },
    { id: 4, type: 'row', title: 'More', collapsed: false, gridPos: { x: 0, y: 16, w: 24, h: 1 } },
    { id: 5, type: 'stat', title: 'Series', gridPos: { x: 0, y: 17, w: 12, h: 6 },
      targets: [{ refId: 'A', expr: 'count({__name__=~".+"})' }] },
  ],
};

const cell = (title) => page.locator('[data-testid="cell"]', { has: page.locator('h3', { hasText: new RegExp(`^${title}$`) }) });

/** Each panel's gridPos as the page shows it, by title. */
async function shown() {
  return page.locator('[data-testid="cell"]').evaluateAll((cells) => Object.fromEntries(cells.map((c) => [
    c.querySelector('h3').textContent,
    { x: +c.dataset.x, y: +c.dataset.y, w: +c.dataset.w, h: +c.dataset.h },
  ])));
}

/** The dashboard as Export downloads it. */
async function exported() {
  const download = page.waitForEvent('download');
  await page.getByTestId('dashboards').getByTestId('export').click();
  return JSON.parse(await readFile(await (await download).path(), 'utf8'));
}

function positions(json) {
  return Object.fromEntries(json.panels.filter((p) => p.type !== 'row').map((p) => [p.title, p.gridPos]));
}

/** One grid column plus its margin, in pixels, as the page lays it out. */
async function column() {
  const width = await page.locator('.grid').evaluate((g) => g.clientWidth);
  return (width - 28 - 23 * 8) / 24 + 8;
}

before(async () => {
  ({ page, errors, close } = await openDashboards({ minutes: 8 }));
  await page.evaluate(() => { location.hash = '#/dashboards/kubeplay-cluster'; });
  await page.locator('.grid[data-uid="kubeplay-cluster"]').waitFor();
  await page.getByTestId('import-open').click();
  await page.getByTestId('import-text').fill(JSON.stringify(dashboard));
  await page.getByTestId('import-load').click();
  await page.locator('.grid[data-uid="layout-lab"]').waitFor();
  await page.waitForTimeout(300);
});

after(() => close?.());

test('dragging a panel by its header moves it and the others make room', async () => {
  const header = await cell('Memory').locator('.panel > header').boundingBox();
  const [x, y] = [header.x + header.width / 2, header.y + header.height / 2];
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x, y - 8 * ROW, { steps: 12 });
  // While held, the panel follows the pointer and its landing place shows.
  await page.getByTestId('drop-place').waitFor();
  await shoot(page, 'dashboard-layout-dragging');
  await page.mouse.up();
  await page.getByTestId('drop-place').waitFor({ state: 'detached' });
  const want = {
    Memory: { x: 0, y: 0, w: 24, h: 8 },
    CPU: { x: 0, y: 8, w: 12, h: 8 },
    'Targets up': { x: 12, y: 8, w: 12, h: 8 },
    Series: { x: 0, y: 17, w: 12, h: 6 },
  };
  assert.deepEqual(await shown(), want);
  const json = await exported();
  assert.deepEqual(positions(json), want);
  assert.deepEqual(json.panels.find((p) => p.type === 'row').gridPos, { x: 0, y: 16, w: 24, h: 1 });
  // On screen too: Memory's panel is now above CPU's.
  const [memory, cpu] = [await cell('Memory').boundingBox(), await cell('CPU').boundingBox()];
  assert.ok(memory.y + memory.height <= cpu.y, `Memory (${memory.y}) above CPU (${cpu.y})`);
  await shoot(page, 'dashboard-layout-dragged');
});

test('dragging the corner resizes a panel; what it covers moves down', async () => {
  const handle = await cell('Targets up').getByTestId('resize-panel').boundingBox();
  const [x, y] = [handle.x + handle.width / 2, handle.y + handle.height / 2];
  const col = await column();
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x - 4 * col, y + 3 * ROW, { steps: 8 });
  await page.mouse.up();
  const now = await shown();
  assert.deepEqual(now['Targets up'], { x: 12, y: 8, w: 8, h: 11 });
  // The row below it went down to stay clear of it, its panel with it.
  assert.deepEqual(now.Series, { x: 0, y: 20, w: 12, h: 6 });
  assert.deepEqual(positions(await exported()), now);
  const box = await cell('Targets up').boundingBox();
  assert.ok(Math.abs(box.width - (8 * col - 8)) < 3, `8 columns wide: ${box.width}px`);
  assert.ok(Math.abs(box.height - (11 * ROW - 8)) < 3, `11 rows high: ${box.height}px`);
  await shoot(page, 'dashboard-layout-resized');
});

test('the move handle takes arrow keys, Shift+arrows resize, and the focus stays', async () => {
  const handle = cell('CPU').getByTestId('move-panel');
  await handle.focus();
  await page.keyboard.press('ArrowUp');
  // Up past Memory: the two swap.
  await page.waitForFunction(() => document.querySelector('[data-testid="cell"][data-index="0"]').dataset.y === '0');
  let now = await shown();
  assert.deepEqual(now.CPU, { x: 0, y: 0, w: 12, h: 8 });
  assert.ok(now.Memory.y >= 8, `Memory went below: ${JSON.stringify(now.Memory)}`);
  const focused = () => page.evaluate(() => [document.activeElement?.dataset.testid, document.activeElement?.dataset.index]);
  assert.deepEqual(await focused(), ['move-panel', '0']);
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('[data-testid="cell"][data-index="0"]').dataset.x === '1');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+ArrowLeft');
  await page.waitForFunction(() => document.querySelector('[data-testid="cell"][data-index="0"]').dataset.w === '11');
  now = await shown();
  assert.deepEqual(now.CPU, { x: 0, y: 0, w: 11, h: 9 });
  assert.deepEqual(await focused(), ['move-panel', '0']);
  // Screen readers hear where it went.
  assert.equal(await page.getByTestId('grid-status').textContent(), 'CPU: 0, 0 · 11×9');
  assert.deepEqual(positions(await exported()), now);
  await shoot(page, 'dashboard-layout-keyboard');
});

test('the time picker refuses what is not a time, in Grafana\'s words', async () => {
  await page.getByTestId('time-picker').click();
  await page.getByTestId('time-from').fill('yesterday');
  await page.getByTestId('time-apply').click();
  assert.equal(await page.getByTestId('time-from-error').innerText(), 'Please enter a past date or "now"');
  await page.getByTestId('time-from').fill('now');
  await page.getByTestId('time-to').fill('now-1h');
  await page.getByTestId('time-apply').click();
  assert.equal(await page.getByTestId('time-from-error').innerText(), '"From" can\'t be after "To"');
  await shoot(page, 'dashboard-layout-time-invalid');
  // Date math that is a quick range shows as one.
  await page.getByTestId('time-from').fill('now-15m');
  await page.getByTestId('time-to').fill('now');
  await page.getByTestId('time-to').press('Enter');
  await page.getByTestId('time-from').waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('range-picker').inputValue(), '900000');
});

/** The simulated clock's time of day, in ms since midnight. */
async function clock() {
  const text = await page.getByTestId('dash-clock').innerText();
  const [h, m, s] = text.match(/(\d\d):(\d\d):(\d\d)/).slice(1).map(Number);
  return ((h * 60 + m) * 60 + s) * 1000;
}

const day = Date.parse('2026-01-01T00:00:00Z');
const pad = (n) => String(n).padStart(2, '0');
const typed = (ms) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};

let range;

test('an absolute range typed in the picker is what the charts draw', async () => {
  const now = day + await clock();
  const from = Math.floor((now - 6 * 60_000) / 60_000) * 60_000;
  const to = from + 3 * 60_000;
  range = { from, to };
  await page.getByTestId('time-picker').click();
  await page.getByTestId('time-from').fill(typed(from));
  await page.getByTestId('time-to').fill(typed(to));
  await page.getByTestId('time-apply').click();
  const zoomed = page.getByTestId('zoomed-range');
  await zoomed.waitFor();
  assert.equal(await zoomed.innerText(), `${typed(from).slice(11)} – ${typed(to).slice(11)}`);
  assert.equal(await page.getByTestId('range-picker').inputValue(), '');
  // Every chart's time axis spans exactly the typed range.
  const charts = page.locator('canvas[data-testid="chart"]');
  await page.waitForFunction((f) => [...document.querySelectorAll('canvas[data-testid="chart"]')].every((c) => c.dataset.from === String(f)), from);
  for (const c of await charts.all()) {
    assert.deepEqual([Number(await c.getAttribute('data-from')), Number(await c.getAttribute('data-to'))], [from, to]);
  }
  assert.match(await page.getByTestId('time-picker').innerText(), new RegExp(`${typed(from)} to ${typed(to)}`));
  // Export writes the range shown, absolute as ISO strings, as Grafana does.
  assert.deepEqual((await exported()).time, { from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  await shoot(page, 'dashboard-layout-absolute-range');
});

test('Save keeps the layout and the absolute range across a reload', async () => {
  const layout = await shown();
  await page.getByTestId('save').click();
  await page.getByTestId('dash-message').getByText('Saved: Layout lab').waitFor();
  const iso = { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() };
  await page.waitForFunction((iso) => {
    const journal = JSON.parse(localStorage.getItem('kubeplay.session') ?? '{}').journal ?? [];
    return journal.some((i) => i.op === 'save_dashboard' && JSON.parse(i.arg).time?.from === iso.from);
  }, iso, { timeout: 10000 });
  const json = await exported();
  assert.deepEqual(json.time, iso);
  assert.deepEqual(positions(json), layout);
  await page.reload();
  await page.locator('.grid[data-uid="layout-lab"]').waitFor();
  await page.waitForTimeout(300);
  assert.deepEqual(await shown(), layout);
  assert.deepEqual(positions(await exported()), layout);
  assert.equal(await page.getByTestId('zoomed-range').innerText(), `${typed(range.from).slice(11)} – ${typed(range.to).slice(11)}`);
  const first = page.locator('canvas[data-testid="chart"]').first();
  assert.equal(Number(await first.getAttribute('data-from')), range.from);
  await shoot(page, 'dashboard-layout-after-reload');
});

test('an imported dashboard with an absolute time opens on that range', async () => {
  const from = range.from - 60_000;
  const to = range.to + 60_000;
  const json = { ...dashboard, uid: 'absolute-lab', title: 'Absolute lab', time: { from: new Date(from).toISOString(), to: new Date(to).toISOString() } };
  await page.getByTestId('import-open').click();
  await page.getByTestId('import-text').fill(JSON.stringify(json));
  await page.getByTestId('import-load').click();
  await page.locator('.grid[data-uid="absolute-lab"]').waitFor();
  await page.waitForFunction((f) => document.querySelector('canvas[data-testid="chart"]')?.dataset.from === String(f), from);
  assert.equal(await page.getByTestId('zoomed-range').innerText(), `${typed(from).slice(11)} – ${typed(to).slice(11)}`);
  assert.deepEqual(errors, []);
});
