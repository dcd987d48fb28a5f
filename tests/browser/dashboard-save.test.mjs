// Dashboards a user saves live in the lab's Grafana inside the engine and
// are journaled with the session: a dashboard imported with a PromQL query,
// a {{pod}} legend and a $namespace variable draws its data, follows the
// variable, keeps its refresh when saved, survives a reload (the journal
// replays it), and "Save as" copies a read-only built-in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openDashboards, shoot, coloured, root } from './harness.mjs';

let page;
let errors;
let close;

const cpu = () => page.locator('[data-testid="panel"][data-type="timeseries"]').first();
const legend = () => cpu().locator('table.legend td.name').allInnerTexts();

before(async () => {
  // Let Prometheus scrape for a few simulated minutes, clock paused after.
  ({ page, errors, close } = await openDashboards({ minutes: 6 }));
});

after(() => close?.());

test('an imported dashboard with a {{pod}} legend draws its pods and follows $namespace', async () => {
  await page.evaluate(() => { location.hash = '#/dashboards/kubeplay-cluster'; });
  await page.locator('.grid[data-uid="kubeplay-cluster"]').waitFor();
  await page.getByTestId('import-open').click();
  await page.getByTestId('import-text').fill(await readFile(join(root, 'lessons/23-grafana/variable.json'), 'utf8'));
  await page.getByTestId('import-load').click();
  await page.locator('.grid[data-uid="my-lab"]').waitFor();
  assert.equal(await page.getByTestId('dash-picker').locator('option:checked').innerText(), 'My lab');
  await page.waitForTimeout(300);
  const system = await legend();
  assert.ok(system.length > 0 && system.every((n) => !n.includes('{')), `legend is {{pod}}, not label sets: ${system}`);
  assert.ok(system.some((n) => n.startsWith('coredns-')), `kube-system pods: ${system}`);
  const drawn = await coloured(cpu().locator('canvas[data-testid="chart"]'));
  assert.ok(drawn > 150, `the CPU chart drew its series (${drawn} coloured pixels)`);
  await shoot(page, 'dashboard-saved-kube-system');

  await page.getByTestId('var-namespace').selectOption('monitoring');
  await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid="panel"] table.legend td.name')].some((e) => e.textContent.startsWith('coredns-')));
  const monitoring = await legend();
  assert.ok(monitoring.length > 0, 'monitoring has pods with CPU');
  assert.ok(monitoring.every((n) => !system.includes(n)), `monitoring's pods differ: ${monitoring}`);
  assert.match(await cpu().locator('h3').innerText(), /in monitoring$/);
  await shoot(page, 'dashboard-saved-monitoring');
});

test('Save keeps the picked refresh, and a reload replays the saved dashboard', async () => {
  await page.getByTestId('refresh-picker').selectOption({ label: '15s' });
  await page.getByTestId('save').click();
  await page.getByTestId('dash-message').getByText('Saved: My lab').waitFor();
  // The session saver runs every few seconds; wait until it wrote the save.
  await page.waitForFunction(() => {
    const journal = JSON.parse(localStorage.getItem('kubeplay.session') ?? '{}').journal ?? [];
    return journal.some((i) => i.op === 'save_dashboard' && JSON.parse(i.arg).refresh === '15s');
  }, null, { timeout: 10000 });
  await page.reload();
  await page.locator('.grid[data-uid="my-lab"]').waitFor();
  assert.equal(await page.getByTestId('refresh-picker').inputValue(), '15000');
  await page.waitForTimeout(300);
  const names = await legend();
  assert.ok(names.some((n) => n.startsWith('coredns-')), `after the reload the panel draws again: ${names}`);
  const drawn = await coloured(cpu().locator('canvas[data-testid="chart"]'));
  assert.ok(drawn > 150, `after the reload the chart drew (${drawn} coloured pixels)`);
  assert.equal(await page.evaluate(() => localStorage.getItem('kubeplay.dashboards')), null);
  await shoot(page, 'dashboard-saved-after-reload');
});

test('a built-in is read-only: Save as makes a user copy, Remove deletes it', async () => {
  await page.evaluate(() => { location.hash = '#/dashboards/kubeplay-node'; });
  await page.locator('.grid[data-uid="kubeplay-node"]').waitFor();
  assert.equal(await page.getByTestId('save').count(), 0, 'no Save on a built-in');
  await page.getByTestId('save-as').click();
  await page.locator('.grid[data-uid="kubeplay-node-2"]').waitFor();
  const title = await page.getByTestId('dash-picker').locator('option:checked').innerText();
  assert.match(title, / Copy$/);
  await page.getByTestId('remove').click();
  await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid="dash-picker"] option')].some((o) => o.value === 'kubeplay-node-2'));
});

test('dashboards saved by an earlier version move from localStorage into the session once', async () => {
  const legacy = JSON.stringify([{ uid: 'old-one', title: 'Old one', panels: [
    { id: 1, type: 'stat', title: 'Up targets', gridPos: { x: 0, y: 0, w: 8, h: 5 }, targets: [{ refId: 'A', expr: 'sum(up)' }] },
  ] }]);
  await page.evaluate((l) => localStorage.setItem('kubeplay.dashboards', l), legacy);
  await page.reload();
  await page.evaluate(() => { location.hash = '#/dashboards/old-one'; });
  await page.locator('.grid[data-uid="old-one"]').waitFor();
  assert.ok(Number(await page.getByTestId('stat-value').innerText()) >= 10, 'the moved dashboard draws');
  assert.equal(await page.evaluate(() => localStorage.getItem('kubeplay.dashboards')), null, 'the old key is gone');
  await page.waitForFunction(() => (localStorage.getItem('kubeplay.session') ?? '').includes('Old one'), null, { timeout: 10000 });
});

test('the panel editor adds a panel with a PromQL query, a legend, a unit and a threshold', async () => {
  await page.evaluate(() => { location.hash = '#/dashboards/my-lab'; });
  await page.locator('.grid[data-uid="my-lab"]').waitFor();
  const before = await page.locator('[data-testid="panel"]').count();
  await page.getByTestId('add-panel').click();
  const editor = page.getByTestId('panel-editor');
  await editor.waitFor();
  await editor.getByTestId('editor-title').fill('Memory by pod');
  await editor.getByTestId('editor-title').press('Tab');
  await editor.getByTestId('editor-expr').fill('sum by (pod) (container_memory_working_set_bytes{namespace=~"$namespace"})');
  await editor.getByTestId('editor-expr').press('Tab');
  await editor.getByTestId('editor-legend').fill('{{pod}}');
  await editor.getByTestId('editor-legend').press('Tab');
  await editor.getByTestId('editor-unit').selectOption('bytes');
  // The preview draws the query before anything is saved.
  const preview = editor.getByTestId('editor-preview');
  await preview.locator('table.legend td.name').first().waitFor();
  const names = await preview.locator('table.legend td.name').allInnerTexts();
  assert.ok(names.some((n) => n.startsWith('coredns-')), `preview legend is {{pod}}: ${names}`);
  const drawn = await coloured(preview.locator('canvas[data-testid="chart"]'));
  assert.ok(drawn > 150, `the preview drew its series (${drawn} coloured pixels)`);
  await shoot(page, 'dashboard-editor');
  await editor.getByTestId('editor-kind').selectOption('stat');
  await preview.getByTestId('stat-value').first().waitFor();
  assert.match(await preview.getByTestId('stat-value').first().innerText(), /[KMG]iB$/);
  await editor.getByTestId('editor-kind').selectOption('timeseries');
  await editor.getByTestId('editor-apply').click();
  await page.locator('.grid[data-uid="my-lab"]').waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="panel"]').length === n + 1, before);
  const added = page.locator('[data-testid="panel"]', { hasText: 'Memory by pod' });
  assert.ok(await coloured(added.locator('canvas[data-testid="chart"]')) > 150, 'the saved panel draws on the dashboard');
  await page.waitForFunction(() => {
    const journal = JSON.parse(localStorage.getItem('kubeplay.session') ?? '{}').journal ?? [];
    return journal.some((i) => i.op === 'save_dashboard' && i.arg.includes('Memory by pod'));
  }, null, { timeout: 10000 });
  await shoot(page, 'dashboard-editor-applied');
});

test('Edit on a panel changes its legend in place', async () => {
  const cpuPanel = page.locator('.cell', { hasText: 'CPU by pod' });
  await cpuPanel.getByTestId('edit-panel').click();
  const editor = page.getByTestId('panel-editor');
  assert.match(await editor.getByTestId('editor-expr').inputValue(), /container_cpu_usage_seconds_total/);
  await editor.getByTestId('editor-legend').fill('pod {{pod}}');
  await editor.getByTestId('editor-legend').press('Tab');
  await editor.getByTestId('editor-apply').click();
  await page.locator('.grid[data-uid="my-lab"]').waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="panel"] table.legend td.name')].some((e) => e.textContent.startsWith('pod ')));
  assert.equal(await page.locator('[data-testid="panel"]', { hasText: 'CPU by pod' }).count(), 1, 'edited in place, not added');
});

test('dashboard settings add a $namespace query variable that the panels follow', async () => {
  await page.evaluate(() => { location.hash = '#/dashboards/my-lab'; });
  await page.locator('.grid[data-uid="my-lab"]').waitFor();
  // Take the imported variable away, then add it again by hand.
  await page.getByTestId('variables-open').click();
  const settings = page.getByTestId('variables-editor');
  await settings.getByRole('button', { name: 'Remove' }).click();
  await settings.getByTestId('variables-apply').click();
  await page.locator('.grid[data-uid="my-lab"]').waitFor();
  assert.equal(await page.getByTestId('var-namespace').count(), 0, 'the variable is gone');
  await page.getByTestId('variables-open').click();
  await settings.getByTestId('variable-add').click();
  await settings.getByTestId('variable-name').fill('namespace');
  await settings.getByTestId('variable-name').press('Tab');
  await settings.getByTestId('variable-query').fill('label_values(kube_pod_info, namespace)');
  await settings.getByTestId('variable-query').press('Tab');
  await settings.getByTestId('variable-all').check();
  await shoot(page, 'dashboard-variables');
  await settings.getByTestId('variables-apply').click();
  await page.locator('.grid[data-uid="my-lab"]').waitFor();
  const options = await page.getByTestId('var-namespace').locator('option').allInnerTexts();
  assert.ok(['All', 'kube-system', 'monitoring'].every((o) => options.includes(o)), `options: ${options}`);
  await page.getByTestId('var-namespace').selectOption('kube-system');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="panel"] table.legend td.name')].some((e) => e.textContent.includes('coredns-')));
  await page.getByTestId('var-namespace').selectOption('monitoring');
  await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid="panel"] table.legend td.name')].some((e) => e.textContent.includes('coredns-')));
  const cpuNames = await page.locator('[data-testid="panel"]', { hasText: 'CPU by pod' }).locator('table.legend td.name').allInnerTexts();
  assert.ok(cpuNames.length > 0, `monitoring's pods: ${cpuNames}`);
  await shoot(page, 'dashboard-variable-added');
});

test('no page errors', () => {
  assert.deepEqual(errors, []);
});
