// The Dashboards page over the monitored lab: every built-in dashboard
// draws data on every panel (canvas pixels for charts), $namespace changes
// the series, refresh moves the newest point as the clock runs, and the
// community dashboards import and draw where our metrics exist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openDashboards, shoot, type, coloured, root } from './harness.mjs';

let page;
let errors;
let close;
const corpus = join(resolve(process.env.KUBEPLAY_CORPORA ?? join(root, '../shared/corpora')), 'grafana');

async function show(uid) {
  await page.evaluate((u) => { location.hash = `#/dashboards/${u}`; }, uid);
  await page.locator(`.grid[data-uid="${uid}"]`).waitFor();
  await page.waitForTimeout(300);
}

before(async () => {
  // Set up the HPA walkthrough from the playground, as a learner would.
  const manifest = (await readFile(join(root, 'lessons/14-hpa/php-apache.yaml'), 'utf8')).replaceAll('30090', '30190');
  ({ page, errors, close } = await openDashboards({
    minutes: 15,
    prepare: async (page) => {
      await page.getByTestId('editor').fill(manifest);
      await page.getByTestId('apply').click();
      await page.getByTestId('apply-result').getByText('deployment.apps/php-apache created').waitFor();
      await type(page, 'kubectl autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10');
      await type(page, 'traffic start load http://192.168.1.10:30190 --rate 20');
    },
  }));
});

after(() => close?.());

const builtins = ['kubeplay-cluster', 'kubeplay-node', 'kubeplay-namespace', 'kubeplay-hpa'];

for (const uid of builtins) {
  test(`built-in ${uid}: every panel has data and every chart drew it`, async () => {
    await show(uid);
    const panels = page.locator('[data-testid="panel"]');
    const total = await panels.count();
    assert.ok(total >= 5, `${uid} shows its panels (${total})`);
    const kinds = await panels.evaluateAll((els) => els.map((e) => [e.dataset.type, e.dataset.hasData, e.querySelector('h3')?.textContent]));
    for (const [kind, has, title] of kinds) {
      if (kind !== 'text') assert.equal(has, 'true', `${uid} / ${title} has data`);
    }
    const charts = page.locator('canvas[data-testid="chart"]');
    for (let i = 0; i < await charts.count(); i++) {
      const n = await coloured(charts.nth(i));
      assert.ok(n > 150, `${uid}: chart ${i} drew its series (${n} coloured pixels)`);
    }
    const values = await page.getByTestId('stat-value').allInnerTexts();
    assert.ok(values.every((v) => v && v !== 'No data'), `${uid}: stat values ${values}`);
    await shoot(page, `dashboard-${uid}`);
  });
}

test('the HPA walkthrough shows the replicas the load asked for', async () => {
  await show('kubeplay-hpa');
  const current = await page.locator('[data-testid="panel"]', { hasText: 'Current replicas' }).getByTestId('stat-value').innerText();
  assert.ok(Number(current) >= 2, `php-apache scaled out: ${current}`);
  const legend = await page.locator('[data-testid="panel"]', { hasText: 'Replicas vs CPU' }).locator('table.legend td.name').allInnerTexts();
  assert.deepEqual(legend, ['CPU utilisation', 'target', 'current replicas', 'desired replicas']);
  // Hovering the chart shows every series' value at that time.
  const chart = page.locator('[data-testid="panel"]', { hasText: 'Replicas vs CPU' }).getByTestId('chart');
  const box = await chart.boundingBox();
  await page.mouse.move(box.x + box.width - 80, box.y + box.height / 2);
  const tip = page.getByTestId('tooltip');
  await tip.waitFor();
  const text = await tip.innerText();
  for (const name of ['CPU utilisation', 'target', 'current replicas', 'desired replicas']) assert.ok(text.includes(name), `tooltip lists ${name}: ${text}`);
  assert.match(text, /target\s*50%/);
  await shoot(page, 'dashboard-hpa-tooltip');
  await page.mouse.move(0, 0);
});

test('dragging across a chart zooms to that time, and zoom out doubles it', async () => {
  await show('kubeplay-hpa');
  const range = Number(await page.getByTestId('range-picker').inputValue());
  const chart = page.locator('[data-testid="panel"]', { hasText: 'Replicas vs CPU' }).getByTestId('chart');
  const box = await chart.boundingBox();
  const y = box.y + box.height / 3;
  await page.mouse.move(box.x + box.width * 0.45, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, y, { steps: 5 });
  await page.getByTestId('zoom-band').waitFor();
  await shoot(page, 'dashboard-zoom-drag');
  await page.mouse.up();
  const zoomed = page.getByTestId('zoomed-range');
  const seconds = async () => {
    const [from, to] = (await zoomed.textContent()).split(' – ').map((t) => t.split(':').reduce((a, b) => a * 60 + Number(b), 0));
    return to - from;
  };
  const span = await seconds();
  // A quarter of the plot's width, less the axes' share.
  assert.ok(span > 0.15 * range / 1000 && span < 0.3 * range / 1000, `zoomed to ${span}s of ${range / 1000}s`);
  assert.equal(await page.getByTestId('range-picker').inputValue(), '');
  await page.getByTestId('zoom-out').click();
  await page.waitForFunction((s) => {
    const [from, to] = document.querySelector('[data-testid="zoomed-range"]').textContent.split(' – ')
      .map((t) => t.split(':').reduce((a, b) => a * 60 + Number(b), 0));
    return Math.abs(to - from - 2 * s) <= 1;
  }, span);
  await shoot(page, 'dashboard-zoomed-out');
  await page.getByTestId('range-picker').selectOption(String(range));
  await zoomed.waitFor({ state: 'detached' });
  await page.mouse.move(0, 0);
});

test('changing $namespace changes the series', async () => {
  await show('kubeplay-namespace');
  const cpu = page.locator('[data-testid="panel"]', { hasText: 'CPU by pod' });
  const names = () => cpu.locator('table.legend td.name').allInnerTexts();
  const system = await names();
  assert.ok(system.some((n) => n.startsWith('coredns-')), `kube-system pods: ${system}`);
  await page.getByTestId('var-namespace').selectOption('default');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="panel"] table.legend td.name')].some((e) => e.textContent.startsWith('php-apache-')));
  const mine = await names();
  assert.ok(mine.length > 0 && mine.every((n) => n.startsWith('php-apache-')), `default's pods: ${mine}`);
  await shoot(page, 'dashboard-namespace-default');
});

test('refresh in simulated time moves the newest point as the clock runs', async () => {
  await show('kubeplay-cluster');
  await page.getByTestId('range-picker').selectOption({ label: 'Last 5m' });
  await page.getByTestId('refresh-picker').selectOption({ label: '5s' });
  const newest = () => page.locator('[data-testid="panel"][data-type="timeseries"]').first().getAttribute('data-newest');
  const before = Number(await newest());
  // Run the clock from the playground's controls, then come back.
  await page.evaluate(() => { location.hash = '#/'; });
  await page.getByTestId('speed-60').click();
  await page.waitForTimeout(1500);
  await page.getByTestId('pause').click();
  await show('kubeplay-cluster');
  await page.getByTestId('refresh-picker').selectOption({ label: '5s' });
  await page.evaluate(() => { location.hash = '#/'; });
  await page.getByTestId('speed-10').click();
  await page.evaluate(() => { location.hash = '#/dashboards/kubeplay-cluster'; });
  await page.waitForFunction((b) => Number(document.querySelector('[data-testid="panel"][data-type="timeseries"]')?.dataset.newest) > b + 30000, before, { timeout: 15000 });
  const after = Number(await newest());
  assert.ok(after > before, `newest point moved from ${before} to ${after}`);
  await page.evaluate(() => { location.hash = '#/'; });
  await page.getByTestId('pause').click();
});

test('rows fold and unfold', async () => {
  await show('kubeplay-node');
  const row = page.getByTestId('row').first();
  assert.equal(await row.getAttribute('data-collapsed'), 'true');
  const before = await page.getByTestId('panel').count();
  await row.click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="panel"]').length === n + 2, before);
  assert.equal(await page.getByTestId('row').first().getAttribute('data-collapsed'), 'false');
});

// (file, least visible panels with data) for the community dashboards.
const community = [
  ['k8s-views-global.json', 22],
  ['k8s-views-namespaces.json', 15],
  ['k8s-views-nodes.json', 28],
  ['k8s-views-pods.json', 13],
  // Most of its rows start folded: 14 of the 15 panels shown draw.
  ['node-exporter-full.json', 14],
];

for (const [file, least] of community) {
  test(`community dashboard ${file} imports and draws`, async () => {
    await page.evaluate(() => { location.hash = '#/dashboards/kubeplay-cluster'; });
    await page.locator('.grid[data-uid="kubeplay-cluster"]').waitFor();
    if (await page.getByTestId('import-open').getAttribute('aria-expanded') !== 'true') await page.getByTestId('import-open').click();
    // Through the file picker, as a user brings a downloaded dashboard.
    await page.locator('div.import input[type=file]').setInputFiles(join(corpus, file));
    await page.getByTestId('dash-message').getByText('Imported').waitFor();
    await page.waitForFunction(() => !location.hash.endsWith('kubeplay-cluster'));
    await page.locator('[data-testid="panel"]').first().waitFor();
    await page.waitForTimeout(500);
    const withData = await page.locator('[data-testid="panel"][data-has-data="true"]').count();
    const total = await page.locator('[data-testid="panel"]').count();
    console.log(`${file}: ${withData} of ${total} visible panels have data`);
    assert.ok(withData >= least, `${file}: ${withData} of ${total} visible panels have data (want ${least})`);
    await shoot(page, `dashboard-import-${file.replace('.json', '')}`);
  });
}

test('pasted JSON with an unknown panel type shows a labelled placeholder', async () => {
  await page.evaluate(() => { location.hash = '#/dashboards/kubeplay-cluster'; });
  await page.locator('.grid[data-uid="kubeplay-cluster"]').waitFor();
  if (await page.getByTestId('import-open').getAttribute('aria-expanded') !== 'true') await page.getByTestId('import-open').click();
  const json = JSON.stringify({
    title: 'Odd one', schemaVersion: 39, refresh: false, mystery: { kept: true },
    panels: [
      { id: 1, type: 'worldmap-panel', title: 'Map', gridPos: { x: 0, y: 0, w: 12, h: 6 } },
      { id: 2, type: 'stat', title: 'Up targets', gridPos: { x: 12, y: 0, w: 12, h: 6 },
        targets: [{ refId: 'A', expr: 'sum(up)' }], fieldConfig: { defaults: { decimals: 'two' } } },
    ],
  });
  await page.getByTestId('import-text').fill(json);
  await page.getByTestId('import-load').click();
  await page.locator('.grid[data-uid="odd-one"]').waitFor();
  const placeholder = page.getByTestId('panel-placeholder');
  assert.match(await placeholder.innerText(), /worldmap-panel/);
  assert.ok(Number(await page.getByTestId('stat-value').innerText()) >= 10, 'the known panel beside it still draws');
  await shoot(page, 'dashboard-import-odd');
});

test('no page errors', () => {
  assert.deepEqual(errors, []);
});
