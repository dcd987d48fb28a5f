// The YAML editor as a learner uses it: a broken manifest gets its error on
// the line it is about, Diff shows what applying an edited live object would
// change, templates start a manifest that applies, and the buffer is
// coloured as YAML. Screenshots in light, dark and Korean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground, shoot } from './harness.mjs';

let page;
let errors;
let close;

before(async () => {
  ({ page, errors, close } = await openPlayground());
});

after(() => close?.());

const broken = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: first',
  '---',
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  '  name: broken',
  'spec:',
  '  containers:',
  '  - name: web',
  '    image: ""',
  '',
].join('\n');

test('a broken manifest gets its error on its line', async () => {
  await page.getByTestId('editor').fill(broken);
  await page.getByTestId('apply').click();
  const result = page.getByTestId('apply-result');
  // kubectl's own words stay as they are.
  await result.getByText('The Pod "broken" is invalid: spec.containers[0].image: Required value').waitFor();
  const bad = page.getByTestId('gutter').locator('.bad');
  assert.deepEqual(await bad.allTextContents(), ['13\n']);
  assert.equal(await bad.getAttribute('title'), 'spec.containers[0].image: Required value');
  const note = page.getByTestId('paint').locator('.note');
  assert.match(await note.textContent(), /spec\.containers\[0\]\.image: Required value/);
  await shoot(page, 'editor-error-dark');

  // A YAML syntax error: the parser's line.
  await page.getByTestId('editor').fill('apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: [\n');
  await page.getByTestId('apply').click();
  await result.getByText('error converting YAML to JSON').waitFor();
  assert.deepEqual(await page.getByTestId('gutter').locator('.bad').allTextContents(), ['5\n']);
  // Typing clears the marks.
  await page.getByTestId('editor').fill('apiVersion: v1\n');
  assert.equal(await page.getByTestId('gutter').locator('.bad').count(), 0);
});

test('an error further down than the pane shows is scrolled into view', async () => {
  // A ConfigMap, then a Pod whose image is missing, 70 lines down.
  const long = [
    'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: many-keys', 'data:',
    ...Array.from({ length: 60 }, (_, i) => `  key${i}: "value ${i}"`),
    '---', broken,
  ].join('\n');
  await page.getByTestId('editor').fill(long);
  const body = page.getByTestId('gutter').locator('..');
  await body.evaluate((el) => { el.scrollTop = 0; });
  await page.getByTestId('apply').click();
  const bad = page.getByTestId('gutter').locator('.bad');
  await bad.waitFor();
  assert.deepEqual(await bad.allTextContents(), ['79\n']);
  await page.waitForFunction(() => {
    const mark = document.querySelector('[data-testid="gutter"] .bad').getBoundingClientRect();
    const pane = document.querySelector('[data-testid="gutter"]').parentElement.getBoundingClientRect();
    return mark.top >= pane.top && mark.bottom <= pane.bottom;
  });
  await shoot(page, 'editor-error-scrolled');
  await page.getByTestId('editor').fill('apiVersion: v1\n');
});

test('the buffer is coloured as YAML', async () => {
  await page.getByTestId('editor').fill('# a comment\napiVersion: v1\nkind: ConfigMap\ndata:\n  n: 3\n  on: true\n  s: "x"\n---\n');
  const paint = page.getByTestId('paint');
  assert.deepEqual(await paint.locator('.k').allTextContents(), ['apiVersion', 'kind', 'data', 'n', 'on', 's']);
  assert.deepEqual(await paint.locator('.n').allTextContents(), ['3']);
  assert.deepEqual(await paint.locator('.b').allTextContents(), ['true']);
  assert.deepEqual(await paint.locator('.c').allTextContents(), ['# a comment']);
  assert.deepEqual(await paint.locator('.d').allTextContents(), ['---']);
  assert.ok((await paint.locator('.s').allTextContents()).includes('"x"'));
  // Keys and strings are drawn in different colours; the textarea's own text is invisible over them.
  const color = (sel) => paint.locator(sel).first().evaluate((el) => getComputedStyle(el).color);
  assert.notEqual(await color('.k'), await color('.s'));
  const textColor = await page.getByTestId('editor').evaluate((el) => getComputedStyle(el).color);
  assert.equal(textColor, 'rgba(0, 0, 0, 0)');
});

test('templates insert and apply', async () => {
  await page.getByTestId('editor').fill('');
  await page.getByTestId('templates').selectOption({ label: 'Deployment' });
  const text = await page.getByTestId('editor').inputValue();
  assert.match(text, /^apiVersion: apps\/v1\nkind: Deployment\n/);
  // Once the learner has changed it, a second template joins the buffer as one more document.
  await page.getByTestId('editor').fill(text.replace('replicas: 2', 'replicas: 3'));
  await page.getByTestId('templates').selectOption({ label: 'Service' });
  const both = await page.getByTestId('editor').inputValue();
  assert.match(both, /kind: Deployment[\s\S]*\n---\napiVersion: v1\nkind: Service\n/);
  await page.getByTestId('apply').click();
  const result = page.getByTestId('apply-result');
  await result.getByText('deployment.apps/web created').waitFor();
  await result.getByText('service/web created').waitFor();
});

test('Diff shows the changed lines of an edited live object and changes nothing', async () => {
  const live = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n';
  await page.getByTestId('editor').fill(live);
  await page.getByTestId('apply').click();
  await page.getByTestId('apply-result').getByText('configmap/settings created').waitFor();
  await page.getByTestId('editor').fill(live.replace('fast', 'slow'));
  await page.getByTestId('diff').click();
  const view = page.getByTestId('diff-view');
  await view.waitFor();
  // The data line, and (as in real kubectl) the last-applied annotation.
  const del = await view.locator('.del').allTextContents();
  const add = await view.locator('.add').allTextContents();
  assert.ok(del.includes('-  mode: fast\n'), `removed: ${del}`);
  assert.ok(add.includes('+  mode: slow\n'), `added: ${add}`);
  assert.equal(del.length, add.length);
  assert.match(await view.locator('.head').first().textContent(), /^diff -u -N \/tmp\/LIVE-\d+\/v1\.ConfigMap\.default\.settings /);
  await shoot(page, 'editor-diff-dark');
  // The cluster still holds the old value.
  const input = page.getByTestId('terminal-input');
  await input.fill('kubectl get configmap settings -o jsonpath={.data.mode}');
  await input.press('Enter');
  await page.getByText('fast', { exact: true }).first().waitFor();
});

test('light, dark and Korean', async () => {
  await page.getByTestId('editor').fill(broken);
  await page.getByTestId('apply').click();
  await page.getByTestId('gutter').locator('.bad').waitFor();
  await page.getByTestId('theme').click();
  await shoot(page, 'editor-error-light');
  await page.getByTestId('language').selectOption('ko');
  assert.equal(await page.getByTestId('diff').textContent(), '차이 보기');
  assert.equal(await page.getByTestId('templates').locator('option').first().textContent(), '템플릿에서 시작하기…');
  await shoot(page, 'editor-korean-light');
  await page.getByTestId('theme').click();
  await page.getByTestId('language').selectOption('en');
  assert.deepEqual(errors, []);
});
