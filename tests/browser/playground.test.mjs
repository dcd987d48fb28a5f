// The foundation's promise, checked in a real browser: the terminal answers
// kubectl, the editor's Apply creates a pod, and the cluster map shows it
// reach Running as the virtual clock runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground, shoot, type } from './harness.mjs';

let page;
let errors;
let close;

before(async () => {
  ({ page, errors, close } = await openPlayground());
});

after(() => close?.());

test('the page loads its wasm and shows the four nodes', async () => {
  const nodes = await page.locator('[data-node]').evaluateAll((els) => els.map((e) => e.dataset.node));
  assert.deepEqual(nodes, ['m-k8s', 'w1-k8s', 'w2-k8s', 'w3-k8s']);
  const system = await page.locator('[data-pod^="kube-system/"]').count();
  assert.equal(system, 16, 'the kube-system pods are drawn on their nodes');
  const addons = await page.locator('[data-pod^="metallb-system/"], [data-pod^="local-path-storage/"]').evaluateAll((els) => els.map((e) => e.className));
  assert.equal(addons.length, 6, 'MetalLB and the local-path provisioner are drawn too');
  assert.ok(addons.every((c) => /\bsystem\b/.test(c)), `addon pods are drawn as the cluster's own: ${addons}`);
});

test('kubectl get nodes answers in the terminal', async () => {
  await type(page, 'kubectl get nodes');
  const output = page.getByTestId('terminal-output');
  await output.getByText('w3-k8s   Ready').waitFor();
  const text = await output.innerText();
  assert.match(text, /NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
  for (const node of ['m-k8s    Ready    control-plane', 'w1-k8s   Ready    <none>', 'w2-k8s   Ready    <none>', 'w3-k8s   Ready    <none>']) {
    assert.ok(text.includes(node), `terminal shows "${node}"`);
  }
  await shoot(page, 'terminal-get-nodes');
});

test('an unknown command gets kubectl\'s error in the terminal', async () => {
  await type(page, 'kubectl foo');
  await page.getByTestId('terminal-output').getByText('Error: unknown command "foo" for "kubectl"').waitFor();
});

test('Apply in the editor creates a pod that reaches Running on the map', async () => {
  const manifest = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: demo',
    'spec:',
    '  containers:',
    '  - name: web',
    '    image: nginx:1.27',
    '',
  ].join('\n');
  await page.getByTestId('editor').fill(manifest);
  await page.getByTestId('apply').click();
  await page.getByTestId('apply-result').getByText('pod/demo created').waitFor();
  const chip = page.locator('[data-pod="default/demo"]');
  await chip.waitFor();
  const first = await chip.getAttribute('data-status');
  assert.ok(['Pending', 'ContainerCreating'].includes(first), `starts as ${first}`);
  await page.locator('[data-pod="default/demo"][data-status="Running"]').waitFor({ timeout: 20_000 });
  const node = await chip.evaluate((el) => el.closest('[data-node]')?.dataset.node);
  assert.match(node ?? '', /^w[1-3]-k8s$/, 'scheduled onto a worker, not the tainted control plane');
  await shoot(page, 'pod-running');
});

test('a broken manifest shows the API server\'s message and creates nothing', async () => {
  await page.getByTestId('editor').fill('apiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\nspec:\n  containers: []\n');
  await page.getByTestId('apply').click();
  await page.getByTestId('apply-result').getByText('The Pod "broken" is invalid: spec.containers: Required value').waitFor();
  assert.equal(await page.locator('[data-pod="default/broken"]').count(), 0);
  await shoot(page, 'apply-error');
});

test('arrow up recalls the previous command', async () => {
  const input = page.getByTestId('terminal-input');
  await type(page, 'kubectl get pods -A');
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'kubectl get pods -A');
  await input.press('ArrowUp');
  assert.equal(await input.inputValue(), 'kubectl foo');
  await input.press('ArrowDown');
  await input.press('ArrowDown');
  assert.equal(await input.inputValue(), '');
});

test('Tab completes commands and names, and a second Tab lists the choices', async () => {
  const input = page.getByTestId('terminal-input');
  await input.fill('kubectl get dep');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'kubectl get deployments ');
  await input.fill('kubectl get pods -n kube-system kube-p');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'kubectl get pods -n kube-system kube-proxy-');
  await input.press('Tab');
  const output = page.getByTestId('terminal-output');
  await output.getByText(/kube-proxy-\S+ {2}kube-proxy-\S+ {2}kube-proxy-\S+ {2}kube-proxy-\S+/).waitFor();
  assert.equal(await input.inputValue(), 'kubectl get pods -n kube-system kube-proxy-', 'listing keeps the line');
  await shoot(page, 'terminal-tab-completion');
  // In the middle of a line only the word before the cursor is completed.
  await input.fill('kubectl get dep -o wide');
  await input.evaluate((el) => el.setSelectionRange(15, 15));
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'kubectl get deployments  -o wide');
  assert.equal(await input.evaluate((el) => el.selectionStart), 24);
  await input.fill('');
});

test('kubectl run -it --rm opens the container shell, and exit deletes the pod', async () => {
  const input = page.getByTestId('terminal-input');
  await type(page, 'kubectl run -it --rm tmp --image=busybox --restart=Never -- sh');
  const output = page.getByTestId('terminal-output');
  await output.getByText("If you don't see a command prompt, try pressing enter.").waitFor();
  await page.getByText('/ #', { exact: true }).waitFor();
  await type(page, 'hostname');
  await output.getByText('/ # hostname').waitFor();
  await shoot(page, 'terminal-run-it');
  await type(page, 'exit');
  await output.getByText('pod "tmp" deleted').waitFor();
  await page.getByText('root@m-k8s:~#', { exact: true }).waitFor();
  assert.equal(await input.inputValue(), '');
});

test('watch redraws its command in place as time runs, until Ctrl-C', async () => {
  const input = page.getByTestId('terminal-input');
  await type(page, 'watch -n 1 kubectl get nodes');
  const output = page.getByTestId('terminal-output');
  await output.getByText(/^Every 1\.0s: kubectl get nodes/).waitFor();
  const first = await output.getByText(/m-k8s: Thu Jan/).textContent();
  await page.waitForFunction(
    (before) => [...document.querySelectorAll('[data-testid="terminal-output"] *')].some((e) => e.children.length === 0 && /m-k8s: Thu Jan/.test(e.textContent) && e.textContent !== before),
    first,
    { timeout: 10_000 },
  );
  assert.equal(await output.getByText(/^Every 1\.0s/).count(), 1, 'one screen, redrawn');
  await shoot(page, 'terminal-watch-command');
  await input.press('Control+c');
  await type(page, 'clear');
  assert.equal(await output.getByText(/^Every 1\.0s/).count(), 0);
});

test('kubectl edit opens the live object in the editor, and Save applies the change', async () => {
  await type(page, 'kubectl create deployment edited --image=nginx');
  await type(page, 'kubectl edit deployment edited');
  const editor = page.getByTestId('editor');
  await page.getByTestId('edit-save').waitFor();
  const text = await editor.inputValue();
  assert.match(text, /^# /);
  assert.match(text, /kind: Deployment\n/);
  await editor.fill(text.replace('  replicas: 1\n', '  replicas: 2\n'));
  await shoot(page, 'editor-kubectl-edit');
  await page.getByTestId('edit-save').click();
  const output = page.getByTestId('terminal-output');
  await output.getByText('deployment.apps/edited edited').waitFor();
  await page.getByTestId('apply').waitFor();
  await type(page, "kubectl get deploy edited -o jsonpath='{.spec.replicas}'");
  await output.getByText(/^2$/).waitFor();
  await type(page, 'kubectl edit deployment edited');
  await page.getByTestId('edit-cancel').click();
  await output.getByText('Edit cancelled, no changes made.').waitFor();
});

test('kubectl exec -it opens a shell in the container with its own prompt', async () => {
  const input = page.getByTestId('terminal-input');
  await type(page, 'kubectl exec -it demo -- sh');
  await page.getByText('root@demo:/#', { exact: true }).waitFor();
  await type(page, 'hostname');
  const output = page.getByTestId('terminal-output');
  await output.getByText('root@demo:/# hostname').waitFor();
  await shoot(page, 'terminal-exec-shell');
  await type(page, 'exit');
  await page.getByText('root@m-k8s:~#', { exact: true }).waitFor();
  assert.equal(await input.inputValue(), '');
});

test('kubectl get pods -w prints rows as pods change, until Ctrl-C', async () => {
  const input = page.getByTestId('terminal-input');
  await type(page, 'kubectl get pods -w');
  const manifest = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: watched', 'spec:', '  containers:', '  - name: web', '    image: nginx', ''].join('\n');
  await page.getByTestId('editor').fill(manifest);
  await page.getByTestId('apply').click();
  const output = page.getByTestId('terminal-output');
  await output.getByText(/^watched {3}0\/1 {3}Pending/).first().waitFor();
  await output.getByText(/^watched {3}1\/1 {3}Running/).first().waitFor({ timeout: 20_000 });
  await shoot(page, 'terminal-watch');
  await input.press('Control+c');
  await output.getByText('^C', { exact: true }).waitFor();
  const rows = await output.getByText(/^watched /).count();
  await page.waitForTimeout(1500);
  assert.equal(await output.getByText(/^watched /).count(), rows, 'no rows after Ctrl-C');
});

test('a stopped kubelet turns its node NotReady on the map, and starting it brings it back', async () => {
  await type(page, 'fault kubelet stop w3-k8s');
  const output = page.getByTestId('terminal-output');
  await output.getByText('kubelet on w3-k8s stopped').waitFor();
  await type(page, 'sleep 50');
  const node = page.locator('[data-node="w3-k8s"]');
  await node.locator('.state', { hasText: 'NotReady' }).waitFor();
  assert.match(await node.getAttribute('class'), /notready/);
  await type(page, 'kubectl get nodes w3-k8s');
  await output.getByText(/^w3-k8s\s+NotReady/).waitFor();
  await shoot(page, 'fault-node-notready');
  await type(page, 'fault kubelet start w3-k8s');
  await node.locator('.state', { hasText: /^Ready$/ }).waitFor();
});

test('curl in the terminal reaches a NodePort Service, and not through a node whose kube-proxy is stopped', async () => {
  const output = page.getByTestId('terminal-output');
  await type(page, 'kubectl create deployment hello --image=gcr.io/google-samples/hello-app:1.0 --replicas=2');
  await type(page, 'kubectl expose deployment hello --type=NodePort --port=80 --target-port=8080');
  await output.getByText('service/hello exposed').waitFor();
  await type(page, 'sleep 30');
  await type(page, 'PORT=$(kubectl get svc hello -o jsonpath={.spec.ports[0].nodePort})');
  await type(page, 'curl 192.168.1.101:$PORT');
  await output.getByText(/^Hostname: hello-/).first().waitFor();
  assert.ok((await output.innerText()).includes('Hello, world!'), 'hello-app answers');
  await type(page, 'fault kube-proxy stop w1-k8s');
  await type(page, 'curl 192.168.1.101:$PORT');
  await output.getByText(/^curl: \(7\) Failed to connect to 192\.168\.1\.101 port \d+ after 0 ms: Connection refused$/).waitFor();
  await shoot(page, 'terminal-curl-nodeport');
  await type(page, 'fault kube-proxy start w1-k8s');
  await output.getByText('kube-proxy on w1-k8s started').waitFor();
});

test('the page raised no script errors', () => {
  assert.deepEqual(errors, []);
});
