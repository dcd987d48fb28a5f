// The service picture and the pictures lessons open: a NodePort Service
// drawn with its ready endpoints, a curl's path as a dot and a line, a
// stopped kube-proxy and a failing readiness probe visible; lesson steps
// switching to the service picture, opening the scheduling explainer when
// a pod stays Pending and the workload timeline when a rollout starts,
// linking to the Dashboards page and back; a pasted line not carried into
// another lesson.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground, shoot, type } from './harness.mjs';

let page;
let errors;
let close;

before(async () => {
  ({ page, errors, close } = await openPlayground({ speed: 'pause' }));
});

after(() => close?.());

const picture = () => page.getByTestId('service-picture');

const run = (line, expect) => type(page, line, expect);

/** Opens a lesson step (`ID/N`) from the map and waits for its picture's tab. */
async function openStep(step, tab) {
  await page.getByTestId('picture-map').click();
  await page.goto(page.url().replace(/#.*$/, '') + `#/lessons/${step}`);
  await page.getByTestId('lesson-step').waitFor();
  await page.waitForFunction((t) =>
    document.querySelector(`[data-testid="${t}"]`)?.getAttribute('aria-selected') === 'true', tab);
}

async function advance(times) {
  for (let i = 0; i < times; i++) {
    await page.getByTestId('step-15').click();
  }
}

test('the service picture follows a request through a NodePort Service to a pod', async () => {
  await picture().waitFor({ state: 'detached' });
  await page.getByTestId('picture-services').click();
  await picture().locator('g.service[data-service="kubernetes"]').waitFor();
  await run('kubectl create deployment web --image=nginx --replicas=2', 'deployment.apps/web created');
  await run('kubectl expose deployment web --port=80 --type=NodePort', 'service/web exposed');
  await advance(4);
  const web = picture().locator('g.service[data-service="web"]');
  await web.waitFor();
  assert.equal(await web.locator('g.endpoint[data-readiness="ready"]').count(), 2);
  const port = (await web.locator('text.port').first().textContent()).match(/node (\d+)/)?.[1];
  assert.ok(port, 'the node port is written on the Service');

  await run(`curl -s http://192.168.1.102:${port}/`, 'Welcome to nginx!');
  const last = page.getByTestId('last-request');
  assert.match(await last.textContent(), new RegExp(`:${port}/ → 200 OK \\(w2-k8s → web → web-`));
  assert.equal(await picture().locator('circle.dot.answered').count(), 1);
  await page.waitForTimeout(700);
  await shoot(page, 'service-picture-request');

  // A stopped kube-proxy: the node turns red and its node port refuses.
  await run('fault kube-proxy stop w1-k8s');
  await advance(1);
  const w1 = picture().locator('g.node[data-node="w1-k8s"]');
  assert.match(await w1.getAttribute('class'), /proxy-off/);
  assert.match(await w1.textContent(), /kube-proxy stopped/);
  await run(`curl -s --max-time 2 http://192.168.1.101:${port}/`);
  await page.waitForFunction(() => /refused|timed out/.test(document.querySelector('[data-testid="last-request"]').textContent));
  assert.match(await last.getAttribute('class'), /failed/);
  assert.equal(await picture().locator('circle.dot.failed').count(), 1);
  await shoot(page, 'service-picture-proxy-stopped');
  await run('fault kube-proxy start w1-k8s');
  assert.deepEqual(errors, []);
});

test('a failing readiness probe shows its endpoint as not ready', async () => {
  await page.getByTestId('editor').fill([
    'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: picky', '  labels:', '    app: picky', 'spec:',
    '  containers:', '  - name: web', '    image: nginx', '    readinessProbe:', '      httpGet:',
    '        path: /healthz', '        port: 80', '      periodSeconds: 5', '---',
    'apiVersion: v1', 'kind: Service', 'metadata:', '  name: picky', 'spec:', '  selector:', '    app: picky',
    '  ports:', '  - port: 80', '',
  ].join('\n'));
  await page.getByTestId('apply').click();
  await advance(4);
  const endpoint = picture().locator('g.service[data-service="picky"] g.endpoint');
  assert.equal(await endpoint.getAttribute('data-readiness'), 'not-ready');
  assert.match(await endpoint.textContent(), /not ready/);
  await shoot(page, 'service-picture-not-ready');
});

test('a lesson step about Services opens the service picture', async () => {
  await openStep('12-services/4', 'picture-services');
  await picture().waitFor();
  await shoot(page, 'lesson-opens-service-picture');
});

test('a pod that stays Pending opens the scheduling explainer, leaving the focus in the terminal', async () => {
  await page.goto(page.url().replace(/#.*$/, '') + '#/lessons/c2-untolerated-taint/1');
  await page.getByTestId('lesson-step').waitFor();
  await page.getByTestId('terminal-input').focus();
  const inspector = page.getByRole('dialog');
  await inspector.waitFor();
  assert.equal(await inspector.getByRole('tab', { name: 'Scheduling' }).getAttribute('aria-selected'), 'true');
  await inspector.getByText(/untolerated taint/).first().waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'terminal-input');
  await advance(1);
  await shoot(page, 'lesson-opens-explainer');
  // Closed by the learner, it stays closed for the step.
  await page.getByTestId('inspector-close').click();
  await advance(1);
  assert.equal(await page.getByRole('dialog').count(), 0);
});

test('a rollout opens its workload timeline', async () => {
  await page.goto(page.url().replace(/#.*$/, '') + '#/lessons/10-rolling-updates/1');
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson-step"]')?.dataset.lesson === '10-rolling-updates');
  assert.equal(await page.getByRole('dialog').count(), 0);
  await page.getByTestId('solution').click();
  await page.getByTestId('apply-solution').click();
  await advance(2);
  const inspector = page.getByRole('dialog');
  await inspector.waitFor();
  assert.equal(await inspector.getByRole('tab', { name: 'Workload' }).getAttribute('aria-selected'), 'true');
  await inspector.getByTestId('workload-title').getByText('Deployment web').waitFor();
  await shoot(page, 'lesson-opens-timeline');
  await page.getByTestId('inspector-close').click();
});

test('a dashboards step links to its dashboard and back to the step', async () => {
  await page.goto(page.url().replace(/#.*$/, '') + '#/lessons/23-grafana/2');
  await page.getByTestId('lesson-step').waitFor();
  const link = page.getByTestId('open-dashboards');
  assert.equal(await link.getAttribute('href'), '#/dashboards/my-lab');
  await link.click();
  const back = page.getByTestId('to-playground');
  await back.waitFor();
  assert.match(await back.textContent(), /Back to the lesson: Naming the series/);
  await shoot(page, 'lesson-dashboards-back-link');
  await back.click();
  await page.getByTestId('lesson-step').waitFor();
  assert.equal(await page.getByTestId('lesson-step').getAttribute('data-step'), '2');
});

test('a line pasted from one lesson is not left on the input line of the next', async () => {
  await page.goto(page.url().replace(/#.*$/, '') + '#/lessons/01-the-lab/1');
  await page.getByTestId('lesson-step').waitFor();
  await page.getByTestId('lesson-page').locator('.paste').first().click();
  assert.match(await page.getByTestId('terminal-input').inputValue(), /kubectl get nodes/);
  await page.goto(page.url().replace(/#.*$/, '') + '#/lessons/03-pods/1');
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson-step"]')?.dataset.lesson === '03-pods');
  assert.equal(await page.getByTestId('terminal-input').inputValue(), '');
  assert.deepEqual(errors, []);
});

test('a lesson step about owners opens the object tree', async () => {
  await openStep('09-replicasets-deployments/2', 'picture-objects');
  await page.getByTestId('objects').waitFor();
  await shoot(page, 'lesson-opens-object-tree');
});
