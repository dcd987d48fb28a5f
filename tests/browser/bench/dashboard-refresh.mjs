// Benchmark, not a test: the main-thread time one refresh of a built-in
// dashboard takes (the queries, the render and every chart's drawing, as
// the page writes it into data-refresh-ms, the queries' share into
// data-query-ms) on the monitored lab grown to 200 nodes. Run against a
// built page:
//   node tests/browser/bench/dashboard-refresh.mjs [NODES] [DASHBOARD_UID]
import { open, type } from '../harness.mjs';

const nodes = Number(process.argv[2] ?? 200);
const uid = process.argv[3] ?? 'kubeplay-cluster';
const { page, close } = await open({ path: '#/dashboards', viewport: { width: 1400, height: 1000 } });
try {
  await page.getByTestId('start-lab').click();
  await page.getByTestId('dashboards').waitFor();
  await page.evaluate(() => { location.hash = '#/'; });
  await page.getByTestId('terminal-input').waitFor();
  await page.getByTestId('pause').click();
  const have = await page.evaluate(() => document.querySelectorAll('[data-testid="cluster-map"] [data-node], [data-testid="cluster-map"] .node').length);
  for (let i = 1; i <= nodes - 4; i++) {
    await type(page, `node add b${i}-k8s --cpu 4 --memory 8Gi`);
  }
  await type(page, 'kubectl get nodes --no-headers | wc -l', String(nodes));
  // Ten minutes of history for the charts.
  for (let i = 0; i < 10; i++) await page.getByTestId('step-60').click();
  await page.evaluate((u) => { location.hash = `#/dashboards/${u}`; }, uid);
  const root = page.getByTestId('dashboards');
  await page.locator('.grid').waitFor();
  const panels = await page.getByTestId('panel').count();
  await page.getByTestId('refresh-picker').selectOption({ label: '5s' });
  // Run the clock from the playground's controls while the page shows.
  await page.evaluate(() => { location.hash = '#/'; });
  await page.getByTestId('speed-10').click();
  await page.evaluate((u) => { location.hash = `#/dashboards/${u}`; }, uid);
  const times = [];
  const queries = [];
  let last = await root.getAttribute('data-refresh-ms');
  while (times.length < 20) {
    await page.waitForFunction((l) => document.querySelector('[data-testid="dashboards"]').dataset.refreshMs !== l, last, { timeout: 20000 });
    last = await root.getAttribute('data-refresh-ms');
    times.push(Number(last));
    queries.push(Number(await root.getAttribute('data-query-ms')));
  }
  console.log(`  in order: ${times.map((t) => t.toFixed(0)).join(' ')}`);
  const line = (xs) => {
    xs.sort((a, b) => a - b);
    const at = (q) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];
    return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${xs[xs.length - 1].toFixed(1)} ms`;
  };
  console.log(`${uid}: ${panels} panels, ${nodes} nodes (${have ? 'map seen' : ''}), ${times.length} refreshes: ${line(times)}`);
  console.log(`  of which the queries: ${line(queries)}`);
} finally {
  await close();
}
