// Time travel: scrub back through the session's history to a moment before
// a pod was deleted, see it again on the map and in kubectl, find the past
// read-only, and come back to the present.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, shoot, type } from './harness.mjs';

let page;
let errors;
let close;

before(async () => {
  ({ page, errors, close } = await open({ viewport: { width: 1920, height: 1080 } }));
  await page.getByTestId('terminal-input').waitFor();
});

after(() => close?.());

const output = () => page.getByTestId('terminal-output');
const slider = () => page.getByTestId('rewind');

/** Moves the slider to `value` (seconds since the start) as a drag would. */
async function scrub(value) {
  await slider().evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/** What the terminal printed from the last time `line` was typed on. */
async function lastAnswer(line) {
  const text = await output().innerText();
  return text.slice(text.lastIndexOf(line));
}

let doomed;
let stopBefore;

test('a deployment is made, one of its pods deleted, and time moves on', async () => {
  await page.getByTestId('pause').click();
  await type(page, 'kubectl create deployment web --image=nginx --replicas=2');
  await output().getByText('deployment.apps/web created').waitFor();
  await page.getByTestId('step-15').click();
  await page.locator('[data-pod^="default/web-"][data-status="Running"]').first().waitFor();
  const pods = await page.locator('[data-pod^="default/web-"]').evaluateAll((els) => els.map((e) => e.dataset.pod));
  assert.equal(pods.length, 2, `two web pods: ${pods}`);
  doomed = pods[0].slice('default/'.length);
  // The moment before the deletion, as the slider counts it.
  stopBefore = Number(await slider().getAttribute("max")) - 1;
  await type(page, `kubectl delete pod ${doomed}`);
  await output().getByText(`pod "${doomed}" deleted`).waitFor();
  await page.getByTestId('step-60').click();
  await page.locator(`[data-pod="default/${doomed}"]`).waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('past-banner').count(), 0, 'live: no banner');
  assert.equal(await page.getByTestId('rewind-at').innerText(), 'now');
  await shoot(page, 'rewind-live-after-delete');
});

test('scrubbing back shows the deleted pod again, read-only', async () => {
  const clockNow = await page.getByTestId('clock').innerText();
  assert.ok(Number(await slider().getAttribute('max')) >= stopBefore + 60, 'the slider reaches now');
  await scrub(stopBefore);
  const banner = page.getByTestId('past-banner');
  await banner.waitFor();
  const at = await page.getByTestId('rewind-at').innerText();
  assert.match(at, /^\d\d:\d\d:\d\d$/);
  assert.equal(await banner.innerText().then((t) => t.split('\n')[0]), `Viewing the cluster at ${at} — read-only`);
  assert.ok(clockNow.includes(at) === false, 'the clock shows the past, not now');
  assert.ok((await page.getByTestId('clock').innerText()).includes(at), 'the clock shows the moment looked at');
  assert.equal(await page.getByTestId('pause').getAttribute('aria-pressed'), 'true', 'the clock pauses');
  assert.ok(await page.getByTestId('step-15').isDisabled(), 'time cannot be stepped in the past');
  await page.locator(`[data-pod="default/${doomed}"]`).waitFor();

  await type(page, 'kubectl get pods');
  await output().getByText(`${doomed}   1/1     Running`).waitFor();
  assert.match(await lastAnswer('kubectl get pods'), new RegExp(`${doomed}\\s+1/1\\s+Running`));
  await shoot(page, 'rewind-past-pod-back');

  await type(page, `kubectl delete pod ${doomed}`);
  await output().getByText(`kubectl delete pod ${doomed}: not run: the past is read-only`).waitFor();
  // The refusal changed nothing: the pod is still there in the past.
  await type(page, 'kubectl get pods -o name');
  await output().getByText(`pod/${doomed}`).last().waitFor();
  assert.ok((await lastAnswer('kubectl get pods -o name')).includes(`pod/${doomed}`));
  await shoot(page, 'rewind-past-refused');
});

test('keyboard: arrows move the slider, Escape returns to now', async () => {
  const before = Number(await slider().inputValue());
  await slider().focus();
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((b) => Number(document.querySelector('[data-testid="rewind"]').value) === b - 1, before);
  assert.ok(await page.getByTestId('past-banner').isVisible());
  await page.keyboard.press('Escape');
  await page.getByTestId('past-banner').waitFor({ state: 'detached' });
});

test('Return to now shows the present and the previous speed', async () => {
  await page.getByTestId('speed-10').click();
  await scrub(stopBefore);
  await page.getByTestId('past-banner').waitFor();
  assert.equal(await page.getByTestId('pause').getAttribute('aria-pressed'), 'true');
  await page.getByTestId('return-to-now').click();
  await page.getByTestId('past-banner').waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('speed-10').getAttribute('aria-pressed'), 'true', 'the speed comes back');
  await page.getByTestId('pause').click();
  assert.equal(await page.locator(`[data-pod="default/${doomed}"]`).count(), 0, 'the deleted pod is gone again');
  await type(page, 'kubectl get pods');
  await output().getByText('web-').last().waitFor();
  const answer = await lastAnswer('kubectl get pods');
  assert.ok(!answer.includes(doomed), `the present has no ${doomed}: ${answer}`);
  assert.equal((answer.match(/web-\S+\s+1\/1\s+Running/g) ?? []).length, 2, answer);
  await shoot(page, 'rewind-back-to-now');
});

test('looking back journaled nothing: a reload rebuilds the same present', async () => {
  await page.reload();
  await page.getByTestId('terminal-input').waitFor();
  await page.locator('[data-pod^="default/web-"]').first().waitFor();
  assert.equal(await page.locator(`[data-pod="default/${doomed}"]`).count(), 0);
  assert.equal(await page.locator('[data-pod^="default/web-"]').count(), 2);
  assert.deepEqual(errors, []);
});

test("in the past a lesson's buttons are off and say why; at now they work again", async () => {
  await page.evaluate(() => { location.hash = '#/lessons/03-pods/1'; });
  await page.getByTestId('lesson-step').waitFor();
  await page.getByTestId('pause').click();
  await page.getByTestId('step-15').click();
  await page.getByTestId('step-15').click();
  await scrub(1);
  await page.getByTestId('past-banner').waitFor();
  const note = page.getByTestId('lesson-past');
  await note.waitFor();
  assert.match(await note.innerText(), /Return to now to go on with the lesson/);
  for (const id of ['check', 'reset-step']) {
    assert.ok(await page.getByTestId(id).isDisabled(), `${id} is off in the past`);
  }
  await shoot(page, 'rewind-lesson-in-past');
  await page.getByTestId('return-to-now').click();
  await note.waitFor({ state: 'detached' });
  assert.ok(await page.getByTestId('check').isEnabled(), 'check works at now');
  await page.getByTestId('check').click();
  await page.getByTestId('check-result').waitFor();
  assert.deepEqual(errors, []);
});
