// The playground as a session a learner keeps: time they can stop and
// speed up, an event stream, a session that survives a reload (and a
// corrupt save that is reported, not lost), export and import, Korean, and
// the looks for a projector. One browser context, so localStorage persists
// across reloads as it does for a user.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openPlayground, shoot, type } from './harness.mjs';

let page;
let errors;
let close;

before(async () => {
  ({ page, errors, close } = await openPlayground({ acceptDownloads: true }));
});

after(() => close?.());

/** The simulated clock, in ms since the Unix epoch. */
async function clock() {
  const text = await page.getByTestId('clock').textContent();
  return Date.parse(text.replace(' UTC', 'Z').replace(' ', 'T'));
}

async function reload() {
  await page.reload();
  await page.getByTestId('terminal-input').waitFor();
}

test('commands change the map; paused, nothing moves; at 60× it does', async () => {
  await type(page, 'kubectl create deployment web --image=nginx --replicas=2');
  await page.getByTestId('terminal-output').getByText('deployment.apps/web created').waitFor();
  await page.locator('[data-pod^="default/web-"]').nth(1).waitFor();
  assert.equal(await page.locator('[data-pod^="default/web-"]').count(), 2);
  await shoot(page, 'session-map-after-create');

  await page.getByTestId('pause').click();
  assert.equal(await page.getByTestId('pause').getAttribute('aria-pressed'), 'true');
  await type(page, 'kubectl run paused --image=nginx');
  const chip = page.locator('[data-pod="default/paused"]');
  await chip.waitFor();
  const status = await chip.getAttribute('data-status');
  assert.ok(['Pending', 'ContainerCreating'].includes(status), `starts as ${status}`);
  const before = await page.getByTestId('clock').textContent();
  await page.waitForTimeout(1500);
  assert.equal(await page.getByTestId('clock').textContent(), before, 'the clock stands still');
  assert.equal(await chip.getAttribute('data-status'), status, 'the pod stays where it was');
  await shoot(page, 'session-paused');

  const t0 = await clock();
  await page.getByTestId('step-15').click();
  assert.equal((await clock()) - t0, 15_000, '+15 s moves the clock 15 s');
  await page.getByTestId('step-1').click();
  assert.equal((await clock()) - t0, 16_000);

  await page.getByTestId('speed-60').click();
  await page.locator('[data-pod="default/paused"][data-status="Running"]').waitFor({ timeout: 10_000 });
  const t1 = await clock();
  await page.waitForFunction((t) => Date.parse(document.querySelector('[data-testid="clock"]').textContent.replace(' UTC', 'Z').replace(' ', 'T')) >= t + 30_000, t1, { timeout: 5_000 });
  await shoot(page, 'session-running-60x');
});

test('the event stream shows the cluster\'s Events and filters them by type', async () => {
  const events = page.getByTestId('events');
  await events.locator('[data-event-reason="Scheduled"]').first().waitFor();
  await type(page, 'kubectl run typo --image=ngnix');
  await events.locator('li.Warning').first().waitFor({ timeout: 10_000 });
  await page.getByTestId('events-type').selectOption('Warning');
  const classes = await events.locator('li').evaluateAll((els) => els.map((e) => e.className));
  assert.ok(classes.length > 0 && classes.every((c) => c.includes('Warning')), `only warnings: ${classes}`);
  assert.ok(await events.locator('[data-event-object="default/Pod/typo"]').count() > 0, 'the typo pod warns');
  await shoot(page, 'session-events-warnings');
  await page.getByTestId('events-type').selectOption('');
  await page.getByTestId('events-namespace').selectOption('default');
  const namespaces = await events.locator('li').evaluateAll((els) => els.map((e) => e.dataset.eventObject.split('/')[0]));
  assert.ok(namespaces.every((ns) => ns === 'default'), `only default: ${namespaces}`);
  await page.getByTestId('events-namespace').selectOption('');
});

test('a reload finds the session intact: pods, editor, history, clock', async () => {
  await page.getByTestId('pause').click();
  await page.getByTestId('editor').fill('# kept across reloads\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: kept\n');
  await page.getByTestId('apply').click();
  await page.getByTestId('apply-result').getByText('namespace/kept created').waitFor();
  await type(page, 'kubectl get pods');
  const pods = await page.locator('[data-pod^="default/"]').evaluateAll((els) => els.map((e) => `${e.dataset.pod} ${e.dataset.status}`));
  const time = await page.getByTestId('clock').textContent();
  await page.waitForTimeout(1200);
  await reload();
  await page.locator('[data-pod="default/paused"]').waitFor();
  const after = await page.locator('[data-pod^="default/"]').evaluateAll((els) => els.map((e) => `${e.dataset.pod} ${e.dataset.status}`));
  assert.deepEqual(after, pods, 'the same pods in the same states');
  assert.equal(await page.getByTestId('clock').textContent(), time, 'the clock where it stood');
  assert.match(await page.getByTestId('editor').inputValue(), /^# kept across reloads\n/);
  const input = page.getByTestId('terminal-input');
  await input.click();
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'kubectl get pods');
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'kubectl run typo --image=ngnix');
  await input.fill('');
  // Ctrl-R searches the restored history backwards.
  await input.press('Control+r');
  await input.pressSequentially('deploy');
  assert.equal(await input.inputValue(), 'kubectl create deployment web --image=nginx --replicas=2');
  assert.match(await page.getByTestId('reverse-search').textContent(), /reverse-i-search\)`deploy'/);
  await shoot(page, 'session-restored-reverse-search');
  await input.press('Escape');
  assert.equal(await input.inputValue(), 'kubectl create deployment web --image=nginx --replicas=2', 'Escape keeps the match to edit');
  await input.fill('half typed');
  await input.press('Control+r');
  await input.pressSequentially('zzz');
  assert.equal(await input.inputValue(), '', 'nothing matches');
  await input.press('Control+g');
  assert.equal(await input.inputValue(), 'half typed', 'Ctrl-G gives the line back');
  await input.fill('');
  await type(page, 'kubectl get ns kept');
  await page.getByTestId('terminal-output').getByText(/^kept\s+Active/).waitFor();
});

let exported;

test('export downloads the session as a JSON file', async () => {
  const download = page.waitForEvent('download');
  await page.getByTestId('export').click();
  const file = await (await download).path();
  exported = await readFile(file, 'utf8');
  const saved = JSON.parse(exported);
  assert.equal(saved.format, 'kubeplay-session');
  assert.equal(saved.version, 1);
  assert.ok(saved.journal.some((i) => i.op === 'run' && i.arg === 'kubectl run paused --image=nginx'));
});

test('a corrupt save is reported, kept aside, and a fresh cluster starts', async () => {
  await page.addInitScript(() => {
    if (!sessionStorage.getItem('corrupted')) {
      sessionStorage.setItem('corrupted', '1');
      localStorage.setItem('kubeplay.session', '{"format":"kubeplay-session","version":1,"journal":[{"op":"sabotage"');
    }
  });
  await reload();
  const notice = page.getByTestId('notice');
  await notice.waitFor();
  const text = await notice.textContent();
  assert.match(text, /Your saved session could not be restored: not JSON/);
  assert.match(text, /kubeplay\.session\.broken-\d+/);
  const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('kubeplay.session.broken-')).map((k) => localStorage.getItem(k)));
  assert.deepEqual(kept, ['{"format":"kubeplay-session","version":1,"journal":[{"op":"sabotage"']);
  assert.equal(await page.locator('[data-pod="default/paused"]').count(), 0, 'a fresh cluster');
  await shoot(page, 'session-corrupt-save');
  await notice.getByRole('button').click();
  assert.equal(await page.getByTestId('notice').count(), 0);
});

test('import refuses a file that is not a session, and restores an exported one', async () => {
  await page.getByTestId('import-file').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"kubeplay-session","version":7}') });
  await page.getByTestId('notice').getByText(/could not be imported: format version 7/).waitFor();
  const navigated = page.waitForEvent('load');
  await page.getByTestId('import-file').setInputFiles({ name: 'kubeplay-session.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
  await navigated;
  await page.getByTestId('terminal-input').waitFor();
  await page.locator('[data-pod="default/paused"]').waitFor();
  assert.equal(await page.getByTestId('notice').count(), 0);
});

test('the interface speaks Korean when asked, and remembers it', async () => {
  await page.getByTestId('language').selectOption('ko');
  await page.getByText('자유 실습').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
  assert.equal(await page.getByTestId('apply').textContent(), '적용');
  await shoot(page, 'session-korean');
  await reload();
  await page.getByText('자유 실습').waitFor();
  assert.match(await page.getByTestId('events').textContent(), /이벤트/);
  await page.getByTestId('language').selectOption('en');
  await page.getByText('Free play').waitFor();
});

test('light and dark themes, presenter mode, and both screen sizes', async () => {
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await shoot(page, 'session-theme-dark-1280');
  await page.getByTestId('theme').click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
  await shoot(page, 'session-theme-light-1280');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await shoot(page, 'session-theme-light-1920');
  await page.getByTestId('theme').click();
  await shoot(page, 'session-theme-dark-1920');
  await page.getByTestId('presenter').click();
  await page.getByTestId('exit-presenter').waitFor();
  assert.equal(await page.getByTestId('lesson').count(), 0, 'presenter mode hides the lesson pane');
  assert.equal(await page.getByTestId('export').count(), 0, 'and the settings');
  await shoot(page, 'session-presenter-1920');
  await page.setViewportSize({ width: 1280, height: 720 });
  await shoot(page, 'session-presenter-1280');
  await page.getByTestId('exit-presenter').click();
  await page.getByTestId('lesson').waitFor();
});

test('the panes resize from the keyboard', async () => {
  const split = page.getByTestId('split-pictures');
  const before = Number(await split.getAttribute('aria-valuenow'));
  const width = await page.getByTestId('cluster-map').evaluate((e) => e.getBoundingClientRect().width);
  await split.focus();
  await split.press('ArrowLeft');
  await split.press('ArrowLeft');
  assert.ok(Number(await split.getAttribute('aria-valuenow')) < before);
  assert.ok((await page.getByTestId('cluster-map').evaluate((e) => e.getBoundingClientRect().width)) > width);
  // Tab completes in the terminal, so Shift-Tab is the way out of it.
  await page.getByTestId('terminal-input').focus();
  await page.keyboard.press('Shift+Tab');
  assert.notEqual(await page.evaluate(() => document.activeElement?.dataset.testid), 'terminal-input');
});

test('a divider drags with the mouse, and the sizes are remembered', async () => {
  const terminal = page.getByTestId('terminal-output');
  const before = await terminal.evaluate((e) => e.getBoundingClientRect().height);
  const box = await page.getByTestId('split-terminal').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 50, { steps: 5 });
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 100, { steps: 5 });
  await page.mouse.up();
  const after = await terminal.evaluate((e) => e.getBoundingClientRect().height);
  assert.ok(Math.abs(after - before - 100) < 12, `the terminal grew by the drag: ${before} → ${after}`);
  await reload();
  const restored = await page.getByTestId('terminal-output').evaluate((e) => e.getBoundingClientRect().height);
  assert.ok(Math.abs(restored - after) < 2, `the size survives a reload: ${after} → ${restored}`);
});

test('the namespace picker types the command that switches namespace', async () => {
  const offered = await page.getByTestId('namespace').locator('option').evaluateAll((os) => os.map((o) => o.value));
  for (const ns of ['default', 'kept', 'kube-public', 'kube-system']) {
    assert.ok(offered.includes(ns), `${ns} is offered, pods or not: ${offered}`);
  }
  await page.getByTestId('namespace').selectOption('kube-system');
  const output = page.getByTestId('terminal-output');
  await output.locator('pre.cmd', { hasText: 'root@m-k8s:~# kubectl config set-context --current --namespace=kube-system' }).waitFor();
  await output.getByText('Context "kubernetes-admin@kubernetes" modified.').waitFor();
  await type(page, 'kubectl get deploy coredns');
  await output.getByText(/^coredns\s+2\/2/).waitFor();
  await shoot(page, 'session-namespace-picker');
  await page.getByTestId('namespace').selectOption('default');
  await output.getByText('root@m-k8s:~# kubectl config set-context --current --namespace=default').waitFor();
});

test('the page raised no script errors', () => {
  assert.deepEqual(errors, []);
});
