// The Objects picture: a Deployment's ReplicaSet and pods nested under it
// with kubectl's READY and STATUS, the tree walked with the arrow keys, a
// pod's YAML as `kubectl get -o yaml` prints it, coloured, and opened in the
// editor by `kubectl edit`; the name filter narrowing the tree.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, shoot, type } from './harness.mjs';

let page;
let errors;
let close;

before(async () => {
  ({ page, errors, close } = await open());
  await page.getByTestId('terminal-input').waitFor();
  await page.getByTestId('pause').click();
});

after(() => close?.());

const tree = () => page.getByTestId('objects').getByRole('tree');
const item = (kind, name) => tree().locator(`li[data-kind="${kind}"]${name ? `[data-name="${name}"]` : ''}`);

test('a Deployment shows its ReplicaSet and its pods with their status, and a pod its YAML', async () => {
  await type(page, 'kubectl create deployment web --image=nginx --replicas=2');
  await page.getByTestId('terminal-output').getByText('deployment.apps/web created').waitFor();
  for (let i = 0; i < 4; i++) await page.getByTestId('step-15').click();

  await page.getByTestId('picture-objects').click();
  assert.equal(await page.getByTestId('picture-objects').getAttribute('aria-selected'), 'true');
  const deployment = item('Deployment', 'web');
  await deployment.waitFor();
  assert.equal(await deployment.getAttribute('aria-level'), '2');
  assert.match(await deployment.textContent(), /READY 2\/2/);
  const rs = tree().locator('li[data-kind="ReplicaSet"][data-name^="web-"]');
  assert.equal(await rs.count(), 1);
  assert.equal(await rs.getAttribute('aria-level'), '3');
  const rsName = await rs.getAttribute('data-name');
  const pods = tree().locator(`li[data-kind="Pod"][data-name^="${rsName}-"]`);
  assert.equal(await pods.count(), 2);
  for (const pod of await pods.all()) {
    assert.equal(await pod.getAttribute('aria-level'), '4');
    assert.equal(await pod.getAttribute('data-status'), 'Running');
    assert.match(await pod.textContent(), /READY 1\/1.*STATUS Running/);
  }
  // The rows come in tree order: Deployment, then its ReplicaSet, then its pods.
  const order = await tree().locator('li[role="treeitem"]').evaluateAll((els) => els.map((e) => e.dataset.kind ?? ''));
  const at = order.indexOf('Deployment');
  assert.deepEqual(order.slice(at, at + 4), ['Deployment', 'ReplicaSet', 'Pod', 'Pod']);
  // At 1280 px the long rows wrap their cells: every column is in view
  // without scrolling sideways.
  const overflow = await tree().evaluate((ul) => ul.scrollWidth - ul.clientWidth);
  assert.ok(overflow <= 1, `the tree scrolls sideways by ${overflow}px`);
  await shoot(page, 'objects-tree');

  const podName = await pods.first().getAttribute('data-name');
  const printed = await page.getByTestId('terminal-output').textContent();
  await pods.first().click();
  const yaml = page.getByTestId('objects-yaml');
  await yaml.locator('pre').waitFor();
  const text = await yaml.locator('pre').textContent();
  assert.match(text, /^apiVersion: v1$/m);
  assert.match(text, /^kind: Pod$/m);
  assert.match(text, new RegExp(`^  name: ${podName}$`, 'm'));
  assert.match(text, /^  phase: Running$/m);
  assert.ok(await yaml.locator('pre span.k').count() > 10, 'keys are marked as the editor marks them');
  const colour = (sel) => yaml.locator(sel).first().evaluate((el) => getComputedStyle(el).color);
  const plain = await yaml.locator('pre').evaluate((el) => getComputedStyle(el).color);
  assert.notEqual(await colour('pre span.k'), plain, 'keys have their colour');
  assert.notEqual(await colour('pre span.k'), await colour('pre span.s'), 'strings have another');
  assert.equal(await pods.first().getAttribute('aria-selected'), 'true');
  // Reading is not a command: the terminal printed nothing new.
  assert.equal(await page.getByTestId('terminal-output').textContent(), printed);
  await shoot(page, 'objects-pod-yaml');
  assert.deepEqual(errors, []);
});

test('the arrow keys walk the tree, close and open branches, and Enter shows the YAML', async () => {
  const deployment = item('Deployment', 'web');
  await deployment.click();
  assert.equal(await deployment.evaluate((e) => e === document.activeElement), true);
  assert.equal(await tree().locator('li[tabindex="0"]').count(), 1, 'one tab stop');
  await page.keyboard.press('ArrowDown');
  const focused = () => page.evaluate(() => document.activeElement?.dataset?.kind ?? '');
  assert.equal(await focused(), 'ReplicaSet');
  await page.keyboard.press('ArrowLeft');
  const rs = tree().locator('li[data-kind="ReplicaSet"][data-name^="web-"]');
  assert.equal(await rs.getAttribute('aria-expanded'), 'false');
  assert.equal(await tree().locator('li[data-kind="Pod"][data-name^="web-"]').count(), 0);
  await page.keyboard.press('ArrowRight');
  assert.equal(await rs.getAttribute('aria-expanded'), 'true');
  assert.equal(await tree().locator('li[data-kind="Pod"][data-name^="web-"]').count(), 2);
  await page.keyboard.press('ArrowRight');
  assert.equal(await focused(), 'Pod');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await focused(), 'ReplicaSet');
  await page.keyboard.press('Enter');
  await page.getByTestId('objects-yaml').getByText('kind: ReplicaSet').waitFor();
  assert.deepEqual(errors, []);
});

test('Edit in editor opens the object as kubectl edit does', async () => {
  const pod = tree().locator('li[data-kind="Pod"][data-name^="web-"]').first();
  const name = await pod.getAttribute('data-name');
  await pod.click();
  await page.getByTestId('objects-edit').click();
  await page.getByTestId('terminal-output').getByText(`kubectl edit pod/${name} -n default`).waitFor();
  await page.getByTestId('edit-save').waitFor();
  assert.match(await page.getByTestId('editor').inputValue(), new RegExp(`name: ${name}\\n`));
  await shoot(page, 'objects-edit');
  await page.getByTestId('edit-cancel').click();
  await page.getByTestId('terminal-output').getByText('Edit cancelled, no changes made.').waitFor();
  assert.deepEqual(errors, []);
});

test('the filter narrows the tree to matching names and the owners leading to them', async () => {
  const all = await tree().locator('li[role="treeitem"]').count();
  const pod = await tree().locator('li[data-kind="Pod"][data-name^="web-"]').first().getAttribute('data-name');
  await page.getByTestId('objects-filter').fill(pod);
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="objects"] li[role="treeitem"]').length < n, all);
  const kinds = await tree().locator('li[role="treeitem"]').evaluateAll((els) => els.map((e) => e.dataset.kind ?? 'Namespace'));
  assert.deepEqual(kinds, ['Namespace', 'Deployment', 'ReplicaSet', 'Pod']);
  assert.equal(await item('Pod', pod).count(), 1);
  assert.equal(await tree().getByText('kube-system').count(), 0);
  await shoot(page, 'objects-filtered');
  await page.getByTestId('objects-filter').fill('no-such-object');
  await page.getByTestId('objects').getByText('No objects match.').waitFor();
  await page.getByTestId('objects-filter').fill('');
  await item('Deployment', 'web').waitFor();
  assert.deepEqual(errors, []);
});

test('the Objects picture speaks Korean', async () => {
  await page.getByTestId('language').selectOption('ko');
  assert.equal(await page.getByTestId('picture-objects').textContent(), '오브젝트');
  const objects = page.getByTestId('objects');
  assert.equal(await objects.getAttribute('aria-label'), '오브젝트 트리');
  assert.equal(await page.getByTestId('objects-filter').getAttribute('placeholder'), '이름으로 거르기');
  assert.match(await objects.locator('.total').textContent(), /^오브젝트 \d+개$/);
  await tree().locator('li[data-tree-id="cluster"]').waitFor();
  assert.equal(await tree().locator('li[data-tree-id="cluster"] b').textContent(), '클러스터 범위');
  // kubectl's own words stay as they are.
  assert.match(await item('Deployment', 'web').textContent(), /READY 2\/2/);
  await shoot(page, 'objects-korean');
  await page.getByTestId('language').selectOption('en');
  assert.deepEqual(errors, []);
});
