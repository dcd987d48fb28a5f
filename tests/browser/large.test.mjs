// The `large` preset (a control plane and 5,000 workers) started from the
// lesson list's preset picker, as a learner would: the map draws it as a
// heat grid with every node counted, the clock runs, and the terminal
// still answers. Timings belong to bench/input-latency.mjs, never here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground, shoot, type } from './harness.mjs';

let page;
let errors;
let close;

before(async () => {
  ({ page, errors, close } = await openPlayground({ viewport: { width: 1400, height: 900 } }));
});

after(() => close?.());

test('the large preset starts from the lesson list and the map shows all 5,000 workers as a heat grid', async () => {
  await page.getByTestId('preset').selectOption('large');
  await page.getByTestId('free-play').click();
  const map = page.locator('[data-testid="cluster-map"][data-mode="aggregate"]');
  await map.waitFor({ timeout: 120_000 });
  const summary = await page.getByTestId('map-summary').innerText();
  // 5,000 workers and the control plane; every one Ready.
  assert.match(summary, /^5001 nodes \(5001 Ready\)/);
  // A kube-proxy and a calico-node on every node, and the control plane's own.
  const pods = Number(summary.match(/(\d+) pods/)?.[1]);
  assert.ok(pods >= 10_002, `the DaemonSets' pods on every node: ${summary}`);
  const drawn = Number(await page.getByTestId('map-canvas').getAttribute('data-drawn'));
  assert.equal(drawn, 5001 + pods, 'every node and pod is counted in the drawing');
  assert.match(await page.getByTestId('terminal-output').innerText(), /# [^\n]*: large/);
});

test('with the large preset running at 10×, the clock moves and a command runs', async () => {
  const clock = page.getByTestId('clock');
  const before = await clock.innerText();
  await page.getByTestId('speed-10').click();
  await page.waitForFunction((b) => document.querySelector('[data-testid="clock"]').innerText !== b, before, { timeout: 30_000 });
  await type(page, 'kubectl get nodes --no-headers | wc -l', '5001');
  const out = await page.getByTestId('terminal-output').innerText();
  assert.match(out, /^5001$/m, 'every node counted by kubectl');
  await shoot(page, 'large-preset-aggregate');
  await page.getByTestId('pause').click();
  assert.deepEqual(errors, []);
});
