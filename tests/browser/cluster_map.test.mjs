// The cluster map and the scheduling explainer, as a learner uses them:
// requests fill a node's CPU bar, a pod too big for any node waits in the
// queue lane and the explainer says why on every node, a scheduled pod's
// explainer highlights its node, cordon shows on the card, clicks (and the
// keyboard) open describe and logs. Then a thousand pods on a canvas and a
// cluster big enough for the heat grid.
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

/** The CPU millicores requested on the named nodes, as their bars say. */
async function requestedCpu(nodes) {
  return page.evaluate((names) => names.reduce((sum, n) => {
    const bar = document.querySelector(`[data-node="${n}"] [data-resource="cpu"]`);
    return sum + Number(bar?.dataset.requested ?? NaN);
  }, 0), nodes);
}

async function apply(manifest, created) {
  await page.getByTestId('editor').fill(manifest);
  await page.getByTestId('apply').click();
  await page.getByTestId('apply-result').getByText(created).waitFor();
}

const workers = ['w1-k8s', 'w2-k8s', 'w3-k8s'];

test('node cards show role, status, taints and bars for requests and use', async () => {
  const m = page.locator('[data-node="m-k8s"]');
  await m.getByText('control-plane · 192.168.1.10').waitFor();
  assert.equal(await m.locator('.taint').innerText(), 'control-plane:NoSchedule');
  assert.equal(await m.locator('.taint').getAttribute('title'), 'node-role.kubernetes.io/control-plane:NoSchedule');
  assert.equal(await m.getAttribute('data-status'), 'Ready');
  // kubeadm's static pods and the addons request 1100m of the control
  // plane's 2 CPUs, as `kubectl describe node m-k8s` adds them up.
  assert.equal(await m.locator('[data-resource="cpu"]').getAttribute('data-requested'), '1100');
  assert.equal(await m.locator('[data-resource="cpu"]').getAttribute('data-requested-percent'), '55');
  // metrics-server reports after its first 15 s window: then the use bar fills.
  await page.waitForFunction(() => document.querySelector('[data-node="w1-k8s"] [data-resource="cpu"]')?.dataset.usedPercent !== '');
  const system = await page.locator('[data-node="w1-k8s"] .group.system [data-pod]').count();
  assert.ok(system >= 2, `the node's own pods are grouped apart: ${system}`);
});

test('a deployment with requests makes the workers\' CPU bars grow, its pods grouped under it', async () => {
  const before = await requestedCpu(workers);
  await apply([
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  replicas: 3',
    '  selector:',
    '    matchLabels: {app: web}',
    '  template:',
    '    metadata:',
    '      labels: {app: web}',
    '    spec:',
    '      containers:',
    '      - name: web',
    '        image: nginx:1.27',
    '        resources:',
    '          requests: {cpu: 500m, memory: 256Mi}',
    '',
  ].join('\n'), 'deployment.apps/web created');
  await page.waitForFunction(
    ([names, want]) => names.reduce((s, n) => s + Number(document.querySelector(`[data-node="${n}"] [data-resource="cpu"]`).dataset.requested), 0) === want,
    [workers, before + 1500],
  );
  const widths = await page.locator('[data-node^="w"] [data-resource="cpu"] .req .fill').evaluateAll((els) => els.map((e) => e.style.width));
  assert.ok(widths.some((w) => parseFloat(w) >= 25), `a worker's CPU bar shows its 500m of 2 CPUs: ${widths}`);
  await page.locator('[data-owner="deploy/web"] [data-pod^="default/web-"][data-status="Running"]').nth(2).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-owner="deploy/web"] [data-pod^="default/web-"]').count(), 3);
  await shoot(page, 'cluster-map-requests');
});

test('a pod too big for any node waits in the queue lane; its explainer says Insufficient cpu on each worker', async () => {
  await apply([
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: huge',
    'spec:',
    '  containers:',
    '  - name: app',
    '    image: nginx:1.27',
    '    resources:',
    '      requests: {cpu: "16"}',
    '',
  ].join('\n'), 'pod/huge created');
  const chip = page.locator('[data-testid="pending-lane"] [data-pod="default/huge"]');
  await chip.waitFor();
  assert.equal(await chip.getAttribute('data-status'), 'Pending');
  await chip.click();
  const inspector = page.getByTestId('inspector');
  await inspector.waitFor();
  // A pending pod opens on its scheduling decision.
  assert.equal(await page.getByTestId('tab-scheduling').getAttribute('aria-selected'), 'true');
  const outcome = page.getByTestId('explainer-outcome');
  await outcome.getByText('0/4 nodes are available').waitFor();
  assert.match(await outcome.innerText(), /3 Insufficient cpu/);
  for (const node of workers) {
    const row = inspector.locator(`[data-trace-node="${node}"]`);
    assert.equal(await row.getAttribute('data-verdict'), 'filtered');
    assert.match(await row.innerText(), /NodeResourcesFit: Insufficient cpu/);
  }
  assert.match(await inspector.locator('[data-trace-node="m-k8s"]').innerText(), /TaintToleration: .*untolerated taint/);
  assert.equal(await inspector.locator('tr.winner').count(), 0, 'no node was chosen');
  await shoot(page, 'cluster-map-pending-explainer');
  await page.keyboard.press('Escape');
  await inspector.waitFor({ state: 'detached' });
});

test('a pod bound after waiting travels from the queue lane to its node', async () => {
  await apply([
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: traveller',
    'spec:',
    '  nodeSelector: {lane: here}',
    '  containers:',
    '  - name: app',
    '    image: nginx:1.27',
    '',
  ].join('\n'), 'pod/traveller created');
  await page.locator('[data-testid="pending-lane"] [data-pod="default/traveller"]').waitFor();
  await page.locator('[data-node="w2-k8s"]').evaluate((card) => card.scrollIntoView({ block: 'start' }));
  await type(page, 'kubectl label node w2-k8s lane=here', 'node/w2-k8s labeled');
  // Caught while it moves: the chip on w2's card, playing its travel from
  // the lane below the cards.
  const from = await page.waitForFunction(() => {
    const chip = document.querySelector('[data-node="w2-k8s"] [data-pod="default/traveller"]');
    const travel = chip?.getAnimations().find((a) => a.id === 'travel');
    return travel && travel.effect.getKeyframes()[0].transform;
  }, null, { polling: 'raf', timeout: 30000 });
  await shoot(page, 'cluster-map-chip-travels');
  const [, dy] = /translate\(\S+px, (\S+)px\)/.exec(await from.jsonValue());
  assert.ok(Number(dy) > 0, `it comes up from the lane below: ${dy}px`);
  await type(page, 'kubectl delete pod traveller --wait=false', 'pod "traveller" deleted');
  await type(page, 'kubectl label node w2-k8s lane-', 'node/w2-k8s unlabeled');
});

test('a scheduled pod\'s explainer scores the workers and highlights the node it runs on', async () => {
  const chip = page.locator('[data-pod^="default/web-"]').first();
  const node = await chip.evaluate((el) => el.closest('[data-node]').dataset.node);
  await chip.click();
  const inspector = page.getByTestId('inspector');
  // A placed pod opens on kubectl describe.
  const describe = page.getByTestId('inspector-describe');
  await describe.getByText(new RegExp(`Node:\\s+${node}/`)).waitFor();
  assert.match(await describe.innerText(), /^Name:\s+web-/);
  assert.match(await describe.innerText(), /Requests:\n\s+cpu:\s+500m\n\s+memory:\s+256Mi/);
  await page.getByTestId('tab-scheduling').click();
  const winner = inspector.locator('tr.winner');
  await winner.waitFor();
  assert.equal(await winner.getAttribute('data-trace-node'), node);
  const scored = await inspector.locator('tr[data-verdict="scored"]').count();
  assert.ok(scored >= 2, `feasible workers are scored: ${scored}`);
  const headers = await inspector.locator('thead th').evaluateAll((els) => els.map((e) => e.title));
  assert.ok(headers.some((h) => h.startsWith('NodeResourcesBalancedAllocation')), `plugin columns: ${headers}`);
  // The winner has the highest weighted total.
  const totals = await inspector.locator('tr[data-verdict="scored"] td.total').evaluateAll((els) => els.map((e) => Number(e.textContent)));
  const best = Number(await winner.locator('td.total').innerText());
  assert.equal(best, Math.max(...totals));
  await shoot(page, 'cluster-map-scheduled-explainer');
  await page.getByTestId('tab-logs').click();
  await page.getByTestId('inspector-logs').getByText(/Configuration complete; ready for start up/).waitFor();
  await page.getByTestId('inspector-close').click();
  await inspector.waitFor({ state: 'detached' });
});

test('cordon shows SchedulingDisabled on the card; uncordon clears it', async () => {
  await type(page, 'kubectl cordon w3-k8s');
  const card = page.locator('[data-node="w3-k8s"]');
  await page.locator('[data-node="w3-k8s"][data-status="Ready,SchedulingDisabled"]').waitFor();
  assert.equal(await card.getByTestId('node-status').innerText(), 'Ready,SchedulingDisabled');
  assert.match(await card.getAttribute('class'), /\bcordoned\b/);
  assert.match(await card.locator('.taint').innerText(), /unschedulable:NoSchedule/);
  await card.scrollIntoViewIfNeeded();
  await shoot(page, 'cluster-map-cordoned');
  await type(page, 'kubectl uncordon w3-k8s');
  await page.locator('[data-node="w3-k8s"][data-status="Ready"]').waitFor();
});

test('a node opens its kubectl describe; the keyboard opens and closes pods too', async () => {
  await page.locator('[data-node="w1-k8s"] button.name').click();
  const describe = page.getByTestId('inspector-describe');
  await describe.getByText('Allocated resources:').waitFor();
  assert.match(await describe.innerText(), /^Name:\s+w1-k8s/);
  assert.equal(await page.getByTestId('tab-scheduling').count(), 0, 'nodes have no scheduling tab');
  await page.keyboard.press('Escape');
  await page.getByTestId('inspector').waitFor({ state: 'detached' });
  const chip = page.locator('[data-pod^="default/web-"]').first();
  await chip.focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('inspector-describe').getByText(/^Name:\s+web-/).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'inspector', 'the panel takes the focus');
  await page.keyboard.press('Escape');
  await page.getByTestId('inspector').waitFor({ state: 'detached' });
});

test('a static pod\'s explainer says the scheduler never placed it', async () => {
  await page.locator('[data-pod="kube-system/kube-apiserver-m-k8s"]').click();
  await page.getByTestId('tab-scheduling').click();
  await page.getByTestId('no-trace').getByText('placed without the scheduler').waitFor();
  await page.getByTestId('inspector-close').click();
});

test('an event about a pod opens it in the inspector', async () => {
  await page.locator('[data-event-object="default/Pod/huge"][data-event-reason="FailedScheduling"]').first().click();
  await page.getByTestId('explainer').waitFor();
  assert.match(await page.getByTestId('inspector').locator('h2').innerText(), /pod\/huge -n default/);
  await page.getByTestId('inspector-close').click();
});

test('light, dark, Korean, at 1280×720 and 1920×1080', async () => {
  await page.locator('[data-pod="default/huge"]').click();
  await page.getByTestId('explainer').waitFor();
  await shoot(page, 'cluster-map-dark-1280');
  await page.getByTestId('theme').click();
  await shoot(page, 'cluster-map-light-1280');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await shoot(page, 'cluster-map-light-1920');
  await page.getByTestId('language').selectOption('ko');
  await page.getByTestId('explainer').getByText('스케줄러가 고른 과정').waitFor();
  await shoot(page, 'cluster-map-korean-1920');
  await page.getByTestId('inspector-close').click();
  await page.locator('[data-pod^="default/web-"]').first().click();
  await page.getByTestId('tab-scheduling').click();
  await page.locator('tr.winner').getByText('선택됨').waitFor();
  await shoot(page, 'cluster-map-korean-explainer-1920');
  await page.getByTestId('inspector-close').click();
  await page.getByTestId('theme').click();
  await shoot(page, 'cluster-map-dark-korean-1920');
  // The top bar keeps to two rows at 1280 px in either language.
  await page.setViewportSize({ width: 1280, height: 720 });
  const rows = async () => {
    const clock = await page.getByTestId('clock').boundingBox();
    const share = await page.getByTestId('share').boundingBox();
    return Math.abs(clock.y + clock.height / 2 - (share.y + share.height / 2)) < 8;
  };
  assert.ok(await rows(), 'Korean: the clock and Share on one row');
  await shoot(page, 'cluster-map-dark-korean-1280');
  await page.getByTestId('language').selectOption('en');
  assert.ok(await rows(), 'English: the clock and Share on one row');
});

test('a thousand pods are drawn on a canvas, and a click on one opens it', async () => {
  for (let i = 4; i <= 11; i++) await type(page, `node add w${i}-k8s`);
  await type(page, 'kubectl delete pod huge');
  await type(page, 'kubectl create deployment many --image=nginx:1.27 --replicas=1000');
  await page.getByTestId('speed-60').click();
  const canvas = page.getByTestId('map-canvas');
  await page.locator('[data-testid="cluster-map"][data-mode="canvas"]').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-pod]').length === 0
    && Number(document.querySelector('[data-testid="map-canvas"]')?.dataset.drawn) >= 1000, null, { timeout: 60_000 });
  const summary = await page.getByTestId('map-summary').innerText();
  assert.match(summary, /^12 nodes \(12 Ready\)/);
  // Frame times while the clock runs, for the README's performance notes.
  const times = [];
  for (let i = 0; i < 10; i++) {
    await page.waitForTimeout(250);
    times.push(Number(await canvas.getAttribute('data-draw-ms')));
  }
  console.log(`canvas draw with ${await canvas.getAttribute('data-drawn')} pods and nodes: ${times.join(', ')} ms`);
  // Frame intervals over two seconds while the clock runs at 60×: the
  // engine's ticks, the view and the drawing all fall inside them.
  const gaps = await page.evaluate(() => new Promise((done) => {
    const out = [];
    let last = performance.now();
    const end = last + 2000;
    const frame = (now) => {
      out.push(now - last);
      last = now;
      if (now < end) requestAnimationFrame(frame); else done(out);
    };
    requestAnimationFrame(frame);
  }));
  gaps.sort((a, b) => a - b);
  const at = (q) => gaps[Math.min(gaps.length - 1, Math.floor(q * gaps.length))].toFixed(1);
  console.log(`frames over 2 s: ${gaps.length}, interval median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`);
  await shoot(page, 'cluster-map-canvas-1000');
  // The first worker's box starts at the top left; its first pod dot is inside it.
  await page.getByTestId('pause').click();
  const box = await canvas.boundingBox();
  await canvas.click({ position: { x: 40, y: 5 } });
  await page.getByTestId('inspector').waitFor();
  assert.match(await page.getByTestId('inspector').locator('h2').innerText(), /^node\/m-k8s$/);
  await page.getByTestId('inspector-close').click();
  assert.ok(box.width > 200);
  // The keyboard walks the drawn things and opens one.
  await canvas.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await page.getByTestId('inspector').waitFor();
  await page.getByTestId('inspector-close').click();
});

test('above a hundred nodes the map becomes a heat grid with counts by status', async () => {
  // Paused, so the typing is not slowed by a thousand pods starting.
  await page.getByTestId('pause').click();
  const started = Date.now();
  for (let i = 12; i <= 100; i++) await type(page, `node add w${i}-k8s`);
  console.log(`89 nodes added in ${Date.now() - started} ms`);
  await page.locator('[data-testid="cluster-map"][data-mode="aggregate"]').waitFor();
  await page.getByTestId('speed-10').click();
  const summary = await page.getByTestId('map-summary').innerText();
  assert.match(summary, /101 nodes/);
  assert.match(summary, /\d+ Running/);
  const drawn = Number(await page.getByTestId('map-canvas').getAttribute('data-drawn'));
  assert.ok(drawn >= 1100, `every node and pod is drawn: ${drawn}`);
  await shoot(page, 'cluster-map-aggregate');
  assert.deepEqual(errors, []);
});
