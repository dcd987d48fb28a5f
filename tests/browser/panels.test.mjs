// The heatmap, logs and alert list panels over the monitored lab: the
// cluster overview's heatmap colours cells of the API server's request
// duration buckets and names a bucket under the pointer, its alert list
// shows a crash loop firing, the namespace view's logs panel shows the
// pods' lines and its filter narrows them, and the panel editor offers the
// three types.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openDashboards, shoot, type, coloured } from './harness.mjs';

let page;
let errors;
let close;

async function show(uid) {
  await page.evaluate((u) => { location.hash = `#/dashboards/${u}`; }, uid);
  await page.locator(`.grid[data-uid="${uid}"]`).waitFor();
  await page.waitForTimeout(300);
}

const panel = (type) => page.locator(`[data-testid="panel"][data-type="${type}"]`);

before(async () => {
  // A web server that logs, and a pod that keeps crashing.
  ({ page, errors, close } = await openDashboards({
    minutes: 8,
    prepare: async (page) => {
      await type(page, 'kubectl create deployment web --image=nginx --replicas=2');
      await type(page, "kubectl run crash --image=busybox -- sh -c 'echo starting; echo giving up; exit 1'");
    },
  }));
});

after(() => close?.());

test('the heatmap colours request duration buckets and names the one under the pointer', async () => {
  await show('kubeplay-cluster');
  const heat = panel('heatmap');
  await heat.scrollIntoViewIfNeeded();
  assert.equal(await heat.getAttribute('data-has-data'), 'true');
  const canvas = heat.getByTestId('heatmap');
  const n = await coloured(canvas);
  assert.ok(n > 300, `cells drawn (${n} coloured pixels)`);
  await heat.getByTestId('heatmap-legend').waitFor();
  // Hover the middle of the darkest cell drawn (its colour all around the
  // point, not an edge shared with the next cell) and read its bucket and
  // count: the darkest cell holds the most requests, so never zero.
  const spot = await canvas.evaluate((c) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const at = (x, y) => data.slice((y * c.width + x) * 4, (y * c.width + x) * 4 + 4).join();
    let best = null;
    for (let y = 3; y < c.height - 3; y++) {
      for (let x = 3; x < c.width - 3; x++) {
        const i = (y * c.width + x) * 4;
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        if (data[i + 3] < 100 || Math.max(r, g, b) - Math.min(r, g, b) < 60 || (best && g >= best.g)) continue;
        const here = at(x, y);
        if ([[3, 0], [-3, 0], [0, 3], [0, -3]].every(([dx, dy]) => at(x + dx, y + dy) === here)) best = { x, y, g };
      }
    }
    return best;
  });
  assert.ok(spot, 'a coloured cell to hover');
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + spot.x, box.y + spot.y);
  const tip = heat.getByTestId('heatmap-tooltip');
  await tip.waitFor();
  const text = await tip.innerText();
  assert.match(text, /Bucket\s*\d[^\n]* - [^\n]*\d/, text);
  const count = Number(text.match(/Count\s*([\d.]+)/)?.[1]);
  assert.ok(count > 0, `the darkest cell counts requests: ${text}`);
  await shoot(page, 'panels-heatmap-hover');
  await page.mouse.move(0, 0);
});

test('the alert list shows the crash loop firing beside the quiet rules', async () => {
  await show('kubeplay-cluster');
  const list = panel('alertlist');
  const items = list.getByTestId('alert-item');
  assert.equal(await items.count(), 3, 'the three default rules');
  const crash = list.locator('[data-testid="alert-item"][data-name="PodCrashLooping"]');
  assert.equal(await crash.getAttribute('data-state'), 'firing');
  const row = await crash.innerText();
  assert.match(row, /Firing for \d+m/, row);
  assert.match(row, /severity=warning/, row);
  assert.match(row, /pod=crash/, 'its instance names the pod');
  // Importance order: the firing rule first, the normal ones after.
  assert.equal(await items.first().getAttribute('data-name'), 'PodCrashLooping');
  const states = await items.evaluateAll((els) => els.map((e) => e.dataset.state));
  assert.deepEqual(states, ['firing', 'inactive', 'inactive']);
  await list.scrollIntoViewIfNeeded();
  await shoot(page, 'panels-cluster-overview');
});

test('the logs panel shows the pods lines and the filter narrows them', async () => {
  await show('kubeplay-namespace');
  await page.getByTestId('var-namespace').selectOption('default');
  await page.waitForTimeout(300);
  const logs = panel('logs');
  await logs.scrollIntoViewIfNeeded();
  assert.equal(await logs.getByTestId('panel-time-from').innerText(), 'Last 7d');
  const lines = logs.getByTestId('log-line');
  const all = await lines.count();
  assert.ok(all >= 20, `nginx and the crashing pod logged (${all} lines)`);
  const first = await lines.first().innerText();
  assert.match(first, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}/, `time shown: ${first}`);
  // Newest first, then the other way round.
  const times = async () => (await logs.locator('.log-line .time').allInnerTexts());
  const newest = await times();
  assert.deepEqual([...newest].sort().reverse(), newest, 'newest first');
  await logs.getByTestId('logs-order').click();
  const oldest = await times();
  assert.deepEqual([...oldest].sort(), oldest, 'oldest first');
  // The filter narrows to matching lines, case-insensitively.
  await logs.getByTestId('logs-filter').fill('WORKER PROCESS');
  const kept = await lines.allInnerTexts();
  assert.ok(kept.length > 0 && kept.length < all, `${kept.length} of ${all}`);
  assert.ok(kept.every((l) => l.includes('worker process')), kept.join('\n'));
  assert.match(await logs.getByTestId('logs-count').innerText(), new RegExp(`^${kept.length} `));
  await logs.getByTestId('logs-filter').fill('giving up');
  assert.ok((await lines.count()) >= 1, 'the crashing pod\'s line');
  await logs.getByTestId('logs-filter').fill('');
  await shoot(page, 'panels-logs');
  // On a narrow screen, wrapping lets a long line take more than one row.
  await page.setViewportSize({ width: 760, height: 1000 });
  await logs.scrollIntoViewIfNeeded();
  const height = async () => (await logs.getByTestId('logs-lines').evaluate((e) => e.scrollHeight));
  const before = await height();
  await logs.getByTestId('logs-wrap').check();
  assert.ok((await height()) > before, 'wrapped lines are taller');
  await shoot(page, 'panels-logs-wrapped');
  await page.setViewportSize({ width: 1400, height: 1000 });
});

test('the panel editor offers heatmap, logs and alert list, and previews a log query', async () => {
  await show('kubeplay-namespace');
  await page.getByTestId('add-panel').click();
  const kinds = await page.getByTestId('editor-kind').locator('option').evaluateAll((os) => os.map((o) => o.value));
  for (const k of ['heatmap', 'logs', 'alertlist']) assert.ok(kinds.includes(k), `${k} in ${kinds}`);
  await page.getByTestId('editor-kind').selectOption('logs');
  await page.getByTestId('editor-expr').fill('{namespace="default", pod=~"web-.*"} |= "notice"');
  await page.getByTestId('editor-expr').blur();
  const preview = page.getByTestId('editor-preview');
  await preview.getByTestId('log-line').first().waitFor();
  const texts = await preview.getByTestId('log-line').allInnerTexts();
  assert.ok(texts.every((t) => t.includes('[notice]')), texts.join('\n'));
  // A query that is not a log query says why.
  await page.getByTestId('editor-expr').fill('up');
  await page.getByTestId('editor-expr').blur();
  await preview.locator('.error').waitFor();
  assert.match(await preview.locator('.error').getAttribute('title'), /stream selector/);
  // The alert list: firing and pending by default, Normal when asked.
  await page.getByTestId('editor-kind').selectOption('alertlist');
  await preview.getByTestId('alert-item').first().waitFor();
  assert.equal(await preview.getByTestId('alert-item').count(), 1, 'only the firing rule');
  await page.getByTestId('editor-state-normal').check();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="editor-preview"] [data-testid="alert-item"]').length === 3);
  await shoot(page, 'panels-editor-alertlist');
  // A heatmap of a histogram, then in another colour scheme.
  await page.getByTestId('editor-kind').selectOption('heatmap');
  await page.getByTestId('editor-expr').fill('sum by (le) (rate(apiserver_request_duration_seconds_bucket[$__rate_interval]))');
  await page.getByTestId('editor-expr').blur();
  const canvas = preview.getByTestId('heatmap');
  await canvas.waitFor();
  const hue = () => canvas.evaluate((c) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let red = 0;
    let blue = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 60) {
        if (data[i] > data[i + 2]) red++; else blue++;
      }
    }
    return { red, blue };
  });
  const oranges = await hue();
  assert.ok(oranges.red > 100 && oranges.red > oranges.blue, `Oranges by default: ${JSON.stringify(oranges)}`);
  await page.getByTestId('editor-scheme').selectOption('Blues');
  await page.waitForTimeout(200);
  const blues = await hue();
  assert.ok(blues.blue > 100 && blues.blue > blues.red, `Blues when picked: ${JSON.stringify(blues)}`);
  await shoot(page, 'panels-editor-heatmap');
  await page.getByTestId('editor-cancel').click();
  assert.deepEqual(errors, []);
});
