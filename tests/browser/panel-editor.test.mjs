// What a Grafana user expects of the panel editor and dashboard settings,
// played as a user over the monitored lab: a value mapping 1 → "OK" on a
// stat of `up`, a field override that renames and recolours one series in
// the legend, an interval variable (with Auto) that changes a query's step,
// a text box variable typed into the variable bar, and the dashboard's
// title, tags and description, all saved in Grafana's JSON model; and a
// legend of hundreds of series that scrolls through them all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, shoot, coloured } from './harness.mjs';

let page;
let errors;
let close;

const UID = 'editor-lab';
const grid = () => page.locator(`.grid[data-uid="${UID}"]`);
const editor = () => page.getByTestId('panel-editor');
const preview = () => editor().getByTestId('editor-preview');
const settings = () => page.getByTestId('variables-editor');

/// The dashboard as the last save in the session's journal wrote it, once
/// the session saver (every few seconds) has written one holding `text`.
async function lastSaved(text) {
  await page.waitForFunction((t) => {
    const journal = JSON.parse(localStorage.getItem('kubeplay.session') ?? '{}').journal ?? [];
    return journal.filter((i) => i.op === 'save_dashboard').at(-1)?.arg.includes(t);
  }, text, { timeout: 10000 });
  return page.evaluate(() => {
    const journal = JSON.parse(localStorage.getItem('kubeplay.session') ?? '{}').journal ?? [];
    return JSON.parse(journal.filter((i) => i.op === 'save_dashboard').at(-1).arg);
  });
}

async function fill(scope, testid, text) {
  await scope.getByTestId(testid).fill(text);
  await scope.getByTestId(testid).press('Tab');
}

/// Opens a new panel in the editor with one query.
async function newPanel(kind, title, expr, legend = '') {
  await page.getByTestId('add-panel').click();
  await editor().waitFor();
  await fill(editor(), 'editor-title', title);
  await editor().getByTestId('editor-kind').selectOption(kind);
  await fill(editor(), 'editor-expr', expr);
  if (legend) await fill(editor(), 'editor-legend', legend);
}

async function applyPanel() {
  await editor().getByTestId('editor-apply').click();
  await grid().waitFor();
}

/** Adds a variable in the settings editor (left open) and returns its row. */
async function addVariable(name, type) {
  await settings().getByTestId('variable-add').click();
  const row = settings().getByTestId('variable-row').last();
  await fill(row, 'variable-name', name);
  await row.getByTestId('variable-type').selectOption(type);
  return row;
}

const legendRow = (scope, name) => scope.locator('table.legend tr', { has: page.locator('td.name', { hasText: name }) });
const swatch = (row) => row.locator('td.name i').evaluate((i) => getComputedStyle(i).backgroundColor);

before(async () => {
  ({ page, errors, close } = await open({ path: '#/dashboards', viewport: { width: 1400, height: 1000 } }));
  await page.getByTestId('start-lab').click();
  await page.locator('.grid').waitFor();
  // Let Prometheus scrape for a few simulated minutes, clock paused after.
  await page.evaluate(() => { location.hash = '#/'; });
  await page.getByTestId('terminal-input').waitFor();
  await page.getByTestId('pause').click();
  for (let i = 0; i < 8; i++) await page.getByTestId('step-60').click();
  await page.evaluate(() => { location.hash = '#/dashboards'; });
  await page.getByTestId('import-open').click();
  const empty = { uid: UID, title: 'Editor lab', schemaVersion: 39, time: { from: 'now-1h', to: 'now' }, panels: [] };
  await page.getByTestId('import-text').fill(JSON.stringify(empty));
  await page.getByTestId('import-load').click();
  await grid().waitFor();
});

after(() => close?.());

test('a value mapping 1 → OK shows on a stat of up, in its colour, saved in Grafana\'s shape', async () => {
  await newPanel('stat', 'Targets', 'up');
  await preview().getByTestId('stat-value').first().waitFor();
  assert.equal(await preview().getByTestId('stat-value').first().innerText(), '1', 'unmapped, up is 1');
  await editor().getByTestId('editor-add-mapping').click();
  const row = editor().getByTestId('mapping-row').first();
  await fill(row, 'mapping-value', '1');
  await fill(row, 'mapping-text', 'OK');
  // Blue, not the threshold's green, so the mapping's colour is what shows.
  await row.getByTestId('mapping-color').selectOption('blue');
  await editor().getByTestId('editor-add-mapping').click();
  const ng = editor().getByTestId('mapping-row').nth(1);
  await fill(ng, 'mapping-value', '0');
  await fill(ng, 'mapping-text', 'NG');
  await ng.getByTestId('mapping-color').selectOption('red');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="editor-preview"] [data-testid="stat-value"]')].every((e) => e.textContent === 'OK'));
  await shoot(page, 'panel-editor-mapping');
  await applyPanel();
  const stats = page.locator('[data-testid="panel"][data-type="stat"] [data-testid="stat-value"]');
  await stats.first().waitFor();
  const texts = await stats.allInnerTexts();
  assert.ok(texts.length > 0 && texts.every((t) => t === 'OK'), `every target is up: ${texts}`);
  const colour = await stats.first().evaluate((e) => getComputedStyle(e.closest('.stat')).color);
  assert.equal(colour, 'rgb(87, 148, 242)', "the mapping's blue");
  const saved = await lastSaved('"OK"');
  const stat = saved.panels.find((p) => p.title === 'Targets');
  assert.deepEqual(stat.fieldConfig.defaults.mappings, [
    { type: 'value', options: { 1: { text: 'OK', color: 'blue', index: 0 }, 0: { text: 'NG', color: 'red', index: 1 } } },
  ]);
  await shoot(page, 'panel-editor-mapping-applied');
});

test('an override by name renames one series and fixes its colour in the legend', async () => {
  await newPanel('timeseries', 'Pods by namespace', 'sum by (namespace) (kube_pod_info)', '{{namespace}}');
  await legendRow(preview(), 'kube-system').waitFor();
  await editor().getByTestId('editor-add-override').click();
  const o = editor().getByTestId('override').first();
  await o.getByTestId('override-option').selectOption('kube-system');
  await o.getByTestId('override-add-property').selectOption('displayName');
  await o.getByTestId('override-property').locator('input').fill('System pods');
  await o.getByTestId('override-property').locator('input').press('Tab');
  await o.getByTestId('override-add-property').selectOption('color');
  await o.locator('[data-testid="override-property"][data-id="color"] select').selectOption('purple');
  await legendRow(preview(), 'System pods').waitFor();
  const names = await preview().locator('table.legend td.name').allInnerTexts();
  assert.ok(!names.includes('kube-system') && names.includes('monitoring'), `only kube-system is renamed: ${names}`);
  assert.equal(await swatch(legendRow(preview(), 'System pods')), 'rgb(184, 119, 217)', 'purple');
  assert.notEqual(await swatch(legendRow(preview(), 'monitoring')), 'rgb(184, 119, 217)', 'the others keep the palette');
  await shoot(page, 'panel-editor-override');
  await applyPanel();
  const panel = page.locator('[data-testid="panel"]', { hasText: 'Pods by namespace' });
  await legendRow(panel, 'System pods').waitFor();
  assert.equal(await swatch(legendRow(panel, 'System pods')), 'rgb(184, 119, 217)');
  const saved = await lastSaved('System pods');
  const ts = saved.panels.find((p) => p.title === 'Pods by namespace');
  assert.deepEqual(ts.fieldConfig.overrides, [{
    matcher: { id: 'byName', options: 'kube-system' },
    properties: [{ id: 'displayName', value: 'System pods' }, { id: 'color', value: { mode: 'fixed', fixedColor: 'purple' } }],
  }]);
});

test('an interval variable sets a query\'s step, Auto from the time range', async () => {
  await page.getByTestId('variables-open').click();
  const row = await addVariable('interval', 'interval');
  assert.equal(await row.getByTestId('variable-query').inputValue(), '1m,10m,30m,1h,6h,12h,1d,7d,14d,30d', "Grafana's list to start");
  await row.getByTestId('variable-auto').check();
  await shoot(page, 'panel-editor-interval-variable');
  await settings().getByTestId('variables-apply').click();
  await grid().waitFor();
  const options = await page.getByTestId('var-interval').locator('option').allInnerTexts();
  assert.deepEqual(options.slice(0, 4), ['auto', '1m', '10m', '30m']);
  const saved = await lastSaved('auto_count');
  const v = saved.templating.list.find((x) => x.name === 'interval');
  assert.deepEqual([v.type, v.auto, v.auto_count, v.auto_min], ['interval', true, 30, '10s']);

  await page.locator('.cell', { hasText: 'Pods by namespace' }).getByTestId('edit-panel').click();
  const interval = editor().getByTestId('editor-interval');
  assert.equal(await interval.innerText(), 'Interval = 15s', 'the scrape interval before');
  await fill(editor(), 'editor-min-interval', '$interval');
  // Auto: the last hour in 30 steps, rounded.
  await page.waitForFunction(() => document.querySelector('[data-testid="editor-interval"]').textContent === 'Interval = 2m');
  await page.getByTestId('var-interval').selectOption('10m');
  await page.waitForFunction(() => document.querySelector('[data-testid="editor-interval"]').textContent === 'Interval = 10m');
  await page.getByTestId('range-picker').selectOption({ label: 'Last 24h' });
  await page.getByTestId('var-interval').selectOption('auto');
  await page.waitForFunction(() => document.querySelector('[data-testid="editor-interval"]').textContent === 'Interval = 1h');
  await shoot(page, 'panel-editor-interval-step');
  await page.getByTestId('range-picker').selectOption({ label: 'Last 1h' });
  await applyPanel();
  const ts = (await lastSaved('"$interval"')).panels.find((p) => p.title === 'Pods by namespace');
  assert.equal(ts.interval, '$interval');
});

test('a text box variable typed in the variable bar feeds a query', async () => {
  await page.getByTestId('variables-open').click();
  const row = await addVariable('ns', 'textbox');
  await fill(row, 'variable-query', 'kube-system');
  await settings().getByTestId('variables-apply').click();
  await grid().waitFor();
  const box = page.getByTestId('var-ns');
  assert.equal(await box.inputValue(), 'kube-system', 'the default value');
  await newPanel('timeseries', 'Pods in $ns', 'sum by (pod) (kube_pod_info{namespace="$ns"})', '{{pod}}');
  await applyPanel();
  const panel = page.locator('[data-testid="panel"]', { hasText: 'Pods in' });
  await legendRow(panel, 'coredns-').first().waitFor();
  assert.equal(await panel.locator('h3').innerText(), 'Pods in kube-system');
  await box.fill('monitoring');
  await box.press('Enter');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="panel"] h3')].some((h) => h.textContent === 'Pods in monitoring'));
  await page.waitForTimeout(200);
  const names = await panel.locator('table.legend td.name').allInnerTexts();
  assert.ok(names.length > 0 && names.every((n) => !n.startsWith('coredns-')), `monitoring's pods: ${names}`);
  assert.ok(names.some((n) => n.startsWith('prometheus')), `monitoring's pods: ${names}`);
  await shoot(page, 'panel-editor-textbox');
  const saved = await lastSaved('textbox');
  const ns = saved.templating.list.find((x) => x.name === 'ns');
  assert.deepEqual([ns.type, ns.query, ns.current.value], ['textbox', 'kube-system', 'kube-system']);
});

test('dashboard settings change the title, tags and description', async () => {
  await page.getByTestId('variables-open').click();
  await fill(settings(), 'settings-title', 'Editor lab, renamed');
  await fill(settings(), 'settings-tags', 'lab, editor ,');
  await fill(settings(), 'settings-description', 'Mappings, overrides and variables');
  await shoot(page, 'panel-editor-settings');
  await settings().getByTestId('variables-apply').click();
  await grid().waitFor();
  assert.equal(await page.getByTestId('dash-picker').locator('option:checked').innerText(), 'Editor lab, renamed');
  const saved = await lastSaved('Editor lab, renamed');
  assert.deepEqual([saved.uid, saved.title, saved.tags, saved.description],
    [UID, 'Editor lab, renamed', ['lab', 'editor'], 'Mappings, overrides and variables']);
  // The constant type is offered and never shown in the bar.
  await page.getByTestId('variables-open').click();
  const row = await addVariable('job', 'constant');
  await fill(row, 'variable-query', 'kube-state-metrics');
  await settings().getByTestId('variables-apply').click();
  await grid().waitFor();
  assert.equal(await page.getByTestId('var-job').count(), 0, 'a constant is hidden');
  const job = (await lastSaved('constant')).templating.list.find((x) => x.name === 'job');
  assert.deepEqual([job.type, job.query, job.hide], ['constant', 'kube-state-metrics', 2]);
});

test('a heatmap of plain series takes a log Y bucket scale and a cell gap', async () => {
  await newPanel('heatmap', 'Memory heatmap', 'container_memory_working_set_bytes');
  const canvas = preview().getByTestId('heatmap');
  await canvas.waitFor();
  await page.waitForTimeout(200);
  await editor().getByTestId('editor-y-scale').selectOption('10');
  await fill(editor(), 'editor-cell-gap', '0');
  await page.waitForTimeout(200);
  const tight = await coloured(canvas);
  assert.ok(tight > 500, `log rows drawn (${tight} coloured pixels)`);
  await shoot(page, 'panel-editor-heatmap-log');
  await fill(editor(), 'editor-cell-gap', '6');
  await page.waitForTimeout(200);
  const apart = await coloured(canvas);
  assert.ok(apart < tight * 0.8, `a gap between cells leaves fewer coloured pixels (${apart} < ${tight})`);
  await shoot(page, 'panel-editor-heatmap-gap');
  // The lowest row under the pointer is one power of ten tall.
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + box.width - 12, box.y + box.height - 30);
  const bucket = await preview().getByTestId('heatmap-tooltip').locator('div').nth(1).locator('b').innerText();
  const [lo, hi] = bucket.split(' - ').map(Number);
  assert.ok(lo > 0 && hi === lo * 10 && Number.isInteger(Math.log10(lo)), `a power-of-ten bucket: ${bucket}`);
  await applyPanel();
  const hm = (await lastSaved('Memory heatmap')).panels.find((p) => p.title === 'Memory heatmap');
  assert.deepEqual([hm.options.calculation.yBuckets.scale, hm.options.cellGap], [{ type: 'log', log: 10 }, 6]);
});

test('a legend of hundreds of series puts the rows near its scroll position in the page, and scrolls through all', async () => {
  await newPanel('timeseries', 'Every node series', '{__name__=~"node_.+"}', '{{__name__}}');
  await applyPanel();
  const panel = page.locator('[data-testid="panel"]', { hasText: 'Every node series' });
  const legend = panel.locator('table.legend');
  await legend.locator('tr[data-row]').first().waitFor();
  const total = Number(await legend.getAttribute('data-rows'));
  assert.ok(total > 200, `hundreds of series (${total})`);
  const shown = () => legend.locator('tr[data-row]').count();
  assert.ok((await shown()) < total / 2, `only some rows are in the page (${await shown()} of ${total})`);
  // The spacers stand for the rows left out: the box scrolls as far as all of them would.
  const fits = await legend.evaluate((t) => t.scrollHeight / (t.querySelector('tr[data-row]').offsetHeight * Number(t.dataset.rows)));
  assert.ok(fits > 0.95 && fits < 1.1, `scroll height matches ${total} rows (${fits.toFixed(3)})`);
  await legend.evaluate((t) => { t.scrollTop = t.scrollHeight; });
  // At the bottom the last row is a series, not a spacer, and other rows came in.
  await page.waitForFunction((title) => {
    const t = [...document.querySelectorAll('[data-testid="panel"]')].find((p) => p.textContent.includes(title)).querySelector('table.legend');
    const rows = t.querySelectorAll('tbody tr');
    return rows[rows.length - 1].hasAttribute('data-row');
  }, 'Every node series');
  const bottom = await legend.locator('tr[data-row] td.name').allInnerTexts();
  assert.ok(bottom.length < total / 2 && bottom.every((n) => n.startsWith('node_')), `rows near the bottom: ${bottom.length}`);
  const box = await legend.boundingBox();
  const last = await legend.locator('tr[data-row]').last().boundingBox();
  assert.ok(last.y + last.height <= box.y + box.height + 2 && last.y >= box.y, 'the last series shows at the bottom of the box');
  await panel.scrollIntoViewIfNeeded();
  await shoot(page, 'panel-legend-windowed');
});

test('no page errors', () => {
  assert.deepEqual(errors, []);
});
