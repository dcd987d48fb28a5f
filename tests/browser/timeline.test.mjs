// The pod lifecycle timeline, as a learner reads it: a crash-looping pod's
// lane shows its runs ending in errors and the restarts between them; a
// rolling update's workload timeline shows the old pods' lanes ending as
// the new pods' lanes turn Ready. Screenshots in dark, light and Korean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground, shoot, type } from './harness.mjs';

let page;
let errors;
let close;

before(async () => {
  ({ page, errors, close } = await openPlayground({ speed: 'speed-10' }));
});

after(() => close?.());

async function apply(manifest, created) {
  await page.getByTestId('editor').fill(manifest);
  await page.getByTestId('apply').click();
  await page.getByTestId('apply-result').getByText(created).waitFor();
}

const deployment = (image) => [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: web',
  'spec:',
  '  replicas: 3',
  '  strategy:',
  '    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}',
  '  selector:',
  '    matchLabels: {app: web}',
  '  template:',
  '    metadata:',
  '      labels: {app: web}',
  '    spec:',
  '      containers:',
  '      - name: web',
  `        image: ${image}`,
  '',
].join('\n');

test('a crash-looping pod\'s timeline shows each run ending in an error and the restarts', async () => {
  await type(page, "kubectl run crash --image=busybox:1.36 -- sh -c 'echo crashing; exit 1'");
  const chip = page.locator('[data-pod="default/crash"]');
  await chip.waitFor();
  // Let it crash a few times (10× speed: 40 simulated seconds take 4 s).
  await page.waitForFunction(() => /CrashLoopBackOff/.test(document.querySelector('[data-pod="default/crash"]')?.dataset.status ?? ''));
  await chip.click();
  await page.getByTestId('tab-timeline').click();
  const svg = page.getByTestId('timeline-svg');
  await svg.waitFor();
  const lane = svg.locator('g[data-pod="crash"]');
  // The restart count grows as the clock runs, and the chart redraws.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="timeline-svg"] g[data-pod="crash"]')?.dataset.restarts) >= 2);
  const restarts = Number(await lane.getAttribute('data-restarts'));
  const spans = svg.locator('g[data-container="crash"] rect');
  const states = await spans.evaluateAll((rects) => rects.map((r) => `${r.dataset.state}:${r.dataset.reason}`));
  assert.equal(states[0], 'Waiting:ContainerCreating');
  const errored = states.filter((s) => s === 'Terminated:Error').length;
  const backoff = states.filter((s) => s === 'Waiting:CrashLoopBackOff').length;
  assert.ok(errored >= restarts, `each restart follows a run ending in Error: ${states}`);
  assert.ok(backoff >= restarts, `and a back-off: ${states}`);
  const restartMarks = await svg.locator('[data-mark="Restarted"]').count();
  assert.ok(restartMarks >= restarts, `a mark per restart: ${restartMarks}`);
  assert.ok(await svg.locator('[data-mark="Scheduled"]').count() === 1);
  assert.match(await svg.locator('[data-mark="Restarted"] title').first().textContent(), /Warning Restarted \[crash\]: restart 1 after the last run ended: Error \(exit code 1\)/);
  assert.match(await svg.locator('rect[data-reason="Error"] title').first().textContent(), /Error \(exit code 1\)/);
  // "Now" moves as time runs.
  const x0 = Number(await page.getByTestId('timeline-now').getAttribute('x1'));
  const t0 = await svg.locator('text.now-label').textContent();
  await page.waitForFunction((t) => document.querySelector('[data-testid="timeline-svg"] text.now-label')?.textContent !== t, t0);
  assert.ok(Number(await page.getByTestId('timeline-now').getAttribute('x1')) > 0 && x0 > 0);
  assert.equal(await page.getByTestId('tab-workload').count(), 0, 'a bare pod has no workload');
  await shoot(page, 'timeline-crash-dark');
  await page.getByTestId('inspector-close').click();
  await type(page, 'kubectl delete pod crash --now');
});

test('a rolling update\'s workload timeline shows old pods ending as new ones become ready', async () => {
  await apply(deployment('nginx:1.26'), 'deployment.apps/web created');
  await page.waitForFunction(() => document.querySelectorAll('[data-pod^="default/web-"][data-status="Running"]').length === 3);
  await apply(deployment('nginx:1.27'), 'deployment.apps/web configured');
  await type(page, 'kubectl rollout status deployment/web');
  await page.locator('[data-pod^="default/web-"]').first().click();
  await page.getByTestId('tab-workload').click();
  await page.getByTestId('workload-title').getByText('Deployment web').waitFor();
  const svg = page.getByTestId('timeline-svg');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="timeline-svg"] g[data-pod][data-deleted="true"]').length === 3);
  const lanes = await svg.locator('g[data-pod]').evaluateAll((gs) => gs.map((g) => ({
    name: g.dataset.pod, deleted: g.dataset.deleted, phase: g.dataset.phase,
    ready: g.querySelectorAll('[data-ready]').length,
    killing: g.querySelectorAll('[data-mark="Killing"]').length,
  })));
  assert.equal(lanes.length, 6, JSON.stringify(lanes));
  const old = lanes.filter((l) => l.deleted === 'true');
  const fresh = lanes.filter((l) => l.deleted === 'false');
  assert.equal(old.length, 3);
  assert.equal(fresh.length, 3);
  assert.ok(old.every((l) => l.phase === 'Terminating' && l.killing === 1), JSON.stringify(old));
  assert.ok(fresh.every((l) => l.phase === 'Running' && l.ready === 1), JSON.stringify(fresh));
  // Old lanes come first (oldest first), and the story reads left to right:
  // each old pod's Terminating strip starts after a new pod turned Ready.
  assert.deepEqual(lanes.slice(0, 3).map((l) => l.deleted), ['true', 'true', 'true']);
  const starts = await svg.evaluate((el) => ({
    terminating: [...el.querySelectorAll('rect[data-phase="Terminating"]')].map((r) => Number(r.getAttribute('x'))).sort((a, b) => a - b),
    ready: [...el.querySelectorAll('g[data-deleted="false"] rect[data-ready]')].map((r) => Number(r.getAttribute('x'))).sort((a, b) => a - b),
  }));
  starts.ready.forEach((x, i) => assert.ok(x <= starts.terminating[i] + 0.01, JSON.stringify(starts)));
  await shoot(page, 'timeline-rollout-dark');
  await page.getByTestId('theme').click();
  await shoot(page, 'timeline-rollout-light');
  await page.getByTestId('language').selectOption('ko');
  await page.getByTestId('timeline-legend').getByText('실행 중').waitFor();
  await page.getByTestId('tab-timeline').getByText('타임라인').waitFor();
  await shoot(page, 'timeline-rollout-korean');
  await page.getByTestId('language').selectOption('en');
  await page.getByTestId('theme').click();
  assert.deepEqual(errors, []);
});
