// A scenario shared as a link: the sender's commands and manifests become
// a URL; opening it in another browser replays them on a fresh cluster and
// shows the same objects; a receiver's own session is kept aside and comes
// back; a damaged link is reported and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, shoot, type } from './harness.mjs';

let server;
let browser;
let link;

const CONFIG = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared-config\ndata:\n  colour: blue\n';

before(async () => {
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh browser context (its own storage) at `address`, with the page's
 * script errors gathered. */
async function visit(address, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(address);
  await page.getByTestId('terminal-input').waitFor();
  return { page, errors };
}

test('Share puts the cluster\'s scenario in a link, copied to the clipboard', async () => {
  const { page, errors } = await visit(server.url, { permissions: ['clipboard-read', 'clipboard-write'] });
  await page.getByTestId('pause').click();
  await type(page, 'kubectl create deployment shared --image=nginx --replicas=3');
  await page.getByTestId('terminal-output').getByText('deployment.apps/shared created').waitFor();
  await page.getByTestId('editor').fill(CONFIG);
  await page.getByTestId('apply').click();
  await page.getByTestId('apply-result').getByText('configmap/shared-config created').waitFor();
  await page.getByTestId('step-15').click();
  await type(page, 'kubectl scale deployment shared --replicas=2');
  await page.getByTestId('step-15').click();
  await type(page, 'kubectl get deploy shared');
  await page.getByTestId('terminal-output').getByText(/^shared\s+2\/2\s+2\s+2\s+30s$/).waitFor();

  await page.getByTestId('share').click();
  const field = page.getByTestId('share-link');
  await field.waitFor();
  link = await field.inputValue();
  assert.ok(link.startsWith(`${server.url}#/share/`), link);
  assert.ok(link.length < 1000, `a link of ${link.length} characters`);
  await page.locator('[data-testid="share-status"][data-copied="true"]').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
  assert.match(await page.getByTestId('share-status').textContent(), /Copied to the clipboard/);
  await shoot(page, 'share-link-panel');
  await page.getByTestId('share-close').click();
  assert.equal(await page.getByTestId('share-panel').count(), 0);

  // In Korean too.
  await page.getByTestId('language').selectOption('ko');
  await page.getByTestId('share').click();
  await page.getByText('이 클러스터 시나리오의 링크').first().waitFor();
  await page.locator('[data-testid="share-status"][data-copied="true"]').waitFor();
  assert.match(await page.getByTestId('share-status').textContent(), /클립보드에 복사했습니다/);
  await shoot(page, 'share-link-panel-korean');
  await page.getByTestId('language').selectOption('en');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the link opens in another browser as the same cluster, with what was typed', async () => {
  assert.ok(link, 'the first test made a link');
  const { page, errors } = await visit(link);
  const notice = page.getByTestId('notice');
  await notice.waitFor();
  assert.match(await notice.textContent(), /Opened a shared scenario: \d+ inputs replayed on a fresh cluster\./);
  assert.doesNotMatch(await notice.textContent(), /kept/, 'the receiver had no session to keep aside');
  assert.equal(new URL(page.url()).hash, '', 'the address no longer holds the scenario');
  const output = page.getByTestId('terminal-output');
  // The replay's own lines, as the sender saw them.
  await output.getByText('root@m-k8s:~# kubectl create deployment shared --image=nginx --replicas=3').waitFor();
  await output.getByText('configmap/shared-config created').waitFor();
  await output.getByText('deployment.apps/shared scaled').waitFor();
  assert.equal(await page.locator('[data-pod^="default/shared-"]').count(), 2);
  await page.getByTestId('pause').click();
  await type(page, 'kubectl get deploy');
  // The first such row is the replayed `kubectl get deploy shared`.
  await output.getByText(/^shared\s+2\/2\s+2\s+2\s+3\ds$/).nth(1).waitFor();
  await type(page, 'kubectl get configmap shared-config -o jsonpath={.data.colour}');
  await output.getByText(/^blue$/).waitFor();
  assert.match(await page.getByTestId('editor').inputValue(), /name: shared-config/, 'the last applied manifest in the editor');
  await shoot(page, 'share-opened-in-another-browser');

  // The shared scenario is now this browser's session: a reload keeps it.
  await page.waitForTimeout(1200);
  await page.reload();
  await page.getByTestId('terminal-input').waitFor();
  assert.equal(await page.getByTestId('notice').count(), 0);
  await page.locator('[data-pod^="default/shared-"]').nth(1).waitFor();
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a receiver\'s own session is kept aside, and comes back', async () => {
  const { page, errors } = await visit(server.url);
  await type(page, 'kubectl run mine --image=nginx');
  await page.locator('[data-pod="default/mine"]').waitFor();
  await page.waitForTimeout(1200);
  // Pasted into the address of the open page: only the fragment changes.
  await page.goto(link);
  const notice = page.getByTestId('notice');
  await notice.getByText(/Opened a shared scenario/).waitFor();
  assert.match(await notice.textContent(), /Your own session was kept in this browser's storage under the key “kubeplay\.session\.before-share-\d+”/);
  await page.locator('[data-pod^="default/shared-"]').nth(1).waitFor();
  assert.equal(await page.locator('[data-pod="default/mine"]').count(), 0);
  await shoot(page, 'share-opened-own-session-kept');

  const navigated = page.waitForEvent('load');
  await page.getByTestId('notice-action').click();
  await navigated;
  await page.getByTestId('terminal-input').waitFor();
  await page.locator('[data-pod="default/mine"]').waitFor();
  assert.equal(await page.locator('[data-pod^="default/shared-"]').count(), 0);
  assert.equal(await page.getByTestId('notice').count(), 0);
  const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('kubeplay.session.before-share')));
  assert.deepEqual(kept, [], 'the kept session is back in its place');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a damaged link is reported and the receiver\'s session stays as it was', async () => {
  const { page, errors } = await visit(server.url);
  await type(page, 'kubectl run mine --image=nginx');
  await page.locator('[data-pod="default/mine"]').waitFor();
  await page.waitForTimeout(1200);
  const cut = link.slice(0, link.length - 40);
  for (const [address, why] of [
    [cut, 'the link is damaged or cut short'],
    [`${server.url}#/share/%7B%22format%22%3A1%7D`, 'the link is damaged: it has characters a scenario never has'],
  ]) {
    await page.goto(address);
    const notice = page.getByTestId('notice');
    await notice.getByText(/This share link could not be opened/).waitFor();
    assert.equal(await notice.textContent(), `This share link could not be opened: ${why}. Your own session is unchanged.Dismiss`);
    await page.locator('[data-pod="default/mine"]').waitFor();
    assert.equal(await page.locator('[data-pod^="default/shared-"]').count(), 0);
    assert.equal(new URL(page.url()).hash, '');
    await shoot(page, 'share-damaged-link');
    await page.goto(server.url);
  }
  assert.deepEqual(errors, []);
  await page.context().close();
});
