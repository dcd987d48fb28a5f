// Lessons in the page, played as a learner plays them: lesson 1 from the
// list to its quiz (Check failing with what is missing, then passing), a
// reload in the middle that brings back both the step and its cluster, a
// challenge repaired from the terminal, a teacher's deep link, hints, the
// solution and reset, and the lesson view in both themes, in Korean and at
// both screen sizes. One browser context, so localStorage persists across
// reloads as it does for a user.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground, shoot, type } from './harness.mjs';

let page;
let errors;
let url;
let close;

before(async () => {
  ({ page, errors, url, close } = await openPlayground());
});

after(() => close?.());

const step = () => page.getByTestId('lesson-step');
const result = () => page.getByTestId('check-result');

/** Presses Check and returns what it says. */
async function check() {
  await page.getByTestId('check').click();
  return (await result().textContent()).trim();
}

/** Types a line and waits for its output to arrive. */
const run = (line, expect) => type(page, line, expect);

async function reload() {
  await page.reload();
  await page.getByTestId('terminal-input').waitFor();
}

test('the list shows lessons and challenges apart, with progress', async () => {
  const pane = page.getByTestId('lesson');
  await pane.getByText('Free play').waitFor();
  await pane.getByText('The lab cluster and its parts').waitFor();
  const items = await pane.locator('[data-testid^="lesson-item-"]').evaluateAll((els) => els.map((e) => e.dataset.testid));
  assert.ok(items.length >= 30, `${items.length} lessons and challenges listed`);
  const challenges = items.filter((i) => i.startsWith('lesson-item-c'));
  assert.deepEqual(challenges, ['lesson-item-c1-bad-image-tag', 'lesson-item-c2-untolerated-taint',
    'lesson-item-c3-empty-service', 'lesson-item-c4-crashloop-config', 'lesson-item-c5-unbound-claim']);
  assert.ok(items.indexOf('lesson-item-26-cluster-sizing') < items.indexOf('lesson-item-c1-bad-image-tag'));
  assert.match(await page.getByTestId('lesson-item-01-the-lab').textContent(), /0\/6 steps done/);
  await shoot(page, 'lessons-list-dark-1280');
});

test('lesson 1 through the page: each Check fails with what is missing, then passes', async () => {
  await page.getByTestId('lesson-item-01-the-lab').click();
  await step().waitFor();
  assert.equal(await step().getAttribute('data-step'), '1');
  assert.equal(new URL(page.url()).hash, '#/lessons/01-the-lab/1');
  // The clock stands still so the test, not the page's speed, decides when time passes.
  await page.getByTestId('pause').click();
  await page.getByTestId('lesson-page').getByText('kubectl get nodes').first().waitFor();

  // Step 1: the nodes.
  assert.match(await check(), /Not yet:.*List the cluster's nodes with kubectl get nodes\./s);
  await shoot(page, 'lessons-check-failing-1280');
  await run('kubectl get nodes', 'w3-k8s');
  assert.match(await check(), /Done: every check holds\./);
  await shoot(page, 'lessons-check-passing-1280');
  await page.getByTestId('next-step').click();
  await page.waitForFunction(() => location.hash === '#/lessons/01-the-lab/2');

  // Step 2: two checks; the message names only what is still missing.
  await run('kubectl get pods -n kube-system', 'kube-scheduler-m-k8s');
  const missing = await check();
  assert.match(missing, /Add -o wide/);
  assert.doesNotMatch(missing, /kube-system namespace/);
  await run('kubectl get pods -n kube-system -o wide', 'NOMINATED NODE');
  assert.match(await check(), /Done/);
  await page.getByTestId('next-step').click();
  await page.waitForFunction(() => location.hash === '#/lessons/01-the-lab/3');

  // Step 3: a deployment, its pods not Running until time passes.
  await run('kubectl create deployment hello --image=nginx --replicas=2', 'deployment.apps/hello created');
  assert.match(await check(), /Two pods labelled app=hello should be Running/);

  // A reload in the middle: the same step, the same cluster.
  await reload();
  await step().waitFor();
  assert.equal(await step().getAttribute('data-step'), '3');
  assert.equal(new URL(page.url()).hash, '#/lessons/01-the-lab/3');
  await page.locator('[data-pod^="default/hello-"]').nth(1).waitFor();
  assert.equal(await page.getByTestId('goto-step-1').getAttribute('class').then((c) => /done/.test(c)), true, 'step 1 kept as done');
  await page.getByTestId('pause').click();
  await run('sleep 40');
  await page.locator('[data-pod^="default/hello-"][data-status="Running"]').nth(1).waitFor();
  assert.match(await check(), /Done/);
  await page.getByTestId('next-step').click();

  // Step 4: the step's setup stops w1-k8s's kubelet; the node is still Ready.
  await page.waitForFunction(() => location.hash === '#/lessons/01-the-lab/4');
  const down = await check();
  assert.match(down, /w1-k8s still reports Ready/);
  await run('sleep 60');
  await run('kubectl get nodes', 'NotReady');
  assert.match(await check(), /Done/);
  await page.getByTestId('next-step').click();

  // Step 5: bring it back.
  assert.match(await check(), /w1-k8s is not Ready yet/);
  await run('fault kubelet start w1-k8s');
  await run('sleep 20');
  assert.match(await check(), /Done/);
  await page.getByTestId('next-step').click();

  // Step 6: a question, answered wrong and then right.
  await page.getByTestId('quiz').waitFor();
  assert.match(await check(), /Answer the question above\./);
  await page.getByTestId('choice-0').click();
  assert.match(await page.getByTestId('quiz-verdict').textContent(), /Not quite/);
  await page.getByTestId('choice-1').click();
  assert.match(await page.getByTestId('quiz-verdict').textContent(), /Right\..*kube-scheduler watches/);
  assert.match(await result().textContent(), /Done/);
  await shoot(page, 'lessons-quiz-1280');
  assert.deepEqual(errors, []);
});

test('progress survives a reload', async () => {
  await reload();
  await step().waitFor();
  assert.equal(await step().getAttribute('data-step'), '6');
  // The question answered before the reload shows its answer again.
  assert.equal(await page.getByTestId('choice-1').getAttribute('class'), 'right');
  await page.getByTestId('all-lessons').click();
  assert.match(await page.getByTestId('lesson-item-01-the-lab').textContent(), /✓ 6\/6 steps done/);
  assert.equal(new URL(page.url()).hash, '#/lessons');
  await reload();
  assert.match(await page.getByTestId('lesson-item-01-the-lab').textContent(), /✓ 6\/6 steps done/);
});

test('a challenge: the broken shop repaired from the terminal', async () => {
  await page.getByTestId('lesson-item-c1-bad-image-tag').click();
  await step().waitFor();
  assert.equal(new URL(page.url()).hash, '#/lessons/c1-bad-image-tag/1');
  await page.getByTestId('pause').click();
  const broken = await check();
  assert.match(broken, /rollout is not complete yet/);
  assert.match(broken, /exactly three pods/);
  await run('kubectl get pods', 'ImagePullBackOff');
  await shoot(page, 'lessons-challenge-broken-1280');
  await run('kubectl rollout undo deployment/shop', 'deployment.apps/shop rolled back');
  await run('sleep 60');
  assert.match(await check(), /Done/);
  await shoot(page, 'lessons-challenge-repaired-1280');
});

test('a deep link opens that step; hints, the solution and reset work there', async () => {
  await page.goto(`${url}#/lessons/12-services/3`);
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson-step"]')?.dataset.lesson === '12-services');
  assert.equal(await step().getAttribute('data-step'), '3');
  await page.getByTestId('lesson-title').getByText('Services').waitFor();
  // The earlier steps' work is there: the Service the second step made.
  await run('kubectl get svc hello', 'ClusterIP');

  await page.getByTestId('hint').click();
  assert.equal(await page.getByTestId('hints').locator('li').count(), 1);
  await page.getByTestId('hint').click();
  assert.equal(await page.getByTestId('hints').locator('li').count(), 2);
  assert.equal(await page.getByTestId('hint').isDisabled(), true, 'no third hint');

  // A page's command goes onto the terminal's line, not run.
  const paste = page.getByTestId('lesson-page').locator('button.paste').first();
  const pasted = await paste.getAttribute('aria-label');
  await paste.click();
  const line = await page.getByTestId('terminal-input').inputValue();
  assert.ok(line.length > 0 && pasted.endsWith(line), `pasted ${line}`);

  assert.match(await check(), /nslookup/);
  await page.getByTestId('solution').click();
  await page.getByTestId('solution-box').getByText('kubectl exec client -- nslookup hello').waitFor();
  await page.getByTestId('apply-solution').click();
  await page.getByTestId('terminal-output').getByText('kubectl exec client -- wget -qO- http://hello').waitFor();
  assert.match(await check(), /Done/);
  await shoot(page, 'lessons-deep-link-solved-1280');

  await page.getByTestId('reset-step').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="check-result"]'));
  assert.match(await check(), /nslookup/, 'a reset step is not done');

  // Moving to another step by its number updates the address.
  await page.getByTestId('goto-step-4').click();
  await page.waitForFunction(() => location.hash === '#/lessons/12-services/4');
  assert.equal(await step().getAttribute('data-step'), '4');

  // A link in a page opens the step it names.
  await page.goto(`${url}#/lessons/01-the-lab/5`);
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson-step"]')?.dataset.step === '5');
  await page.getByTestId('lesson-page').getByRole('link', { name: 'lesson 19, failures and self-healing' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson-step"]')?.dataset.lesson === '19-self-healing');
  assert.equal(new URL(page.url()).hash, '#/lessons/19-self-healing/1');

  // A link to a lesson that does not exist says so.
  await page.goto(`${url}#/lessons/99-nothing/1`);
  await page.getByRole('alert').getByText('No such lesson: 99-nothing').waitFor();
});

test('a step that names a picture gives it the room', async () => {
  const height = async (id) => (await page.getByTestId(id).boundingBox()).height;
  await page.goto(`${url}#/lessons/06-requests-and-limits/1`);
  await page.locator('[data-picture="events"]').waitFor();
  assert.ok(await height('events') > await height('cluster-map'), 'the events get the larger share');
  await shoot(page, 'lessons-picture-events-1280');
  await page.goto(`${url}#/lessons/01-the-lab/1`);
  await page.locator('[data-picture="map"]').waitFor();
  assert.ok(await height('cluster-map') > await height('events'), 'the map gets the larger share');
});

test('free play on another preset', async () => {
  await page.goto(`${url}#/lessons`);
  await page.getByTestId('preset').selectOption('single');
  await page.getByTestId('free-play').click();
  await page.getByTestId('lesson').getByText('Free play').waitFor();
  await run('kubectl get nodes', 'STATUS');
  const out = await page.getByTestId('terminal-output').textContent();
  assert.doesNotMatch(out.split('kubectl get nodes').pop(), /w2-k8s/, 'the single-node preset');
});

test('the lesson view in both themes, in Korean, at both sizes', async () => {
  await page.goto(`${url}#/lessons/01-the-lab/3`);
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson-step"]')?.dataset.step === '3');
  await check();
  await page.getByTestId('hint').click();
  await shoot(page, 'lessons-step-dark-1280');
  await page.getByTestId('theme').click();
  await shoot(page, 'lessons-step-light-1280');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await shoot(page, 'lessons-step-light-1920');
  await page.getByTestId('language').selectOption('ko');
  await page.getByTestId('lesson-title').getByText('실습 클러스터와 구성 요소').waitFor();
  assert.match(await page.getByTestId('check').textContent(), /확인/);
  await check();
  assert.match(await result().textContent(), /아직입니다/);
  await shoot(page, 'lessons-step-korean-light-1920');
  await page.getByTestId('theme').click();
  await shoot(page, 'lessons-step-korean-dark-1920');
  await page.getByTestId('all-lessons').click();
  await page.getByText('도전 과제: 고장 난 클러스터 고치기').waitFor();
  await shoot(page, 'lessons-list-korean-dark-1920');
  await page.setViewportSize({ width: 1280, height: 720 });
  await shoot(page, 'lessons-list-korean-dark-1280');
  await page.getByTestId('language').selectOption('en');
  assert.deepEqual(errors, []);
});
