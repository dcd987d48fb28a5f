// Offline after the first visit: the service worker caches the build it
// finds named in the page, serves the page network first and the hashed
// files from its cache, and a new build gets a cache of its own. Without a
// worker (blocked) the page is the same page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { dist, open, shoot, type } from './harness.mjs';

/** Waits until a service worker controls the page; its script's address. */
async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
  return page.evaluate(() => navigator.serviceWorker.controller.scriptURL);
}

/** The worker's caches and the paths each holds. */
function cached(page) {
  return page.evaluate(async () => {
    const all = {};
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      all[name] = (await cache.keys()).map((r) => new URL(r.url).pathname).sort();
    }
    return all;
  });
}

test('after one visit the page loads, starts the engine and runs kubectl with the network gone', async () => {
  const { url, page, errors, close, server } = await open();
  try {
    await page.getByTestId('terminal-input').waitFor();
    const script = await controlled(page);
    const build = new URL(script).searchParams.get('build');
    assert.match(build, /^[0-9a-f]{1,8}$/, `the page names its build: ${script}`);

    // Every file of the build is cached (the page as the scope's root),
    // read from the page itself: nothing listed by hand.
    const files = (await readdir(dist)).filter((f) => f !== 'sw.js').map((f) => (f === 'index.html' ? '/' : `/${f}`));
    assert.deepEqual(await cached(page), { [`kubeplay-${build}`]: files.sort() });

    const manifest = await page.evaluate(async () => {
      const href = document.querySelector('link[rel=manifest]').href;
      return (await fetch(href)).json();
    });
    assert.equal(manifest.short_name, 'kubeplay');
    assert.equal(manifest.display, 'standalone');
    assert.equal(manifest.start_url, './');
    assert.deepEqual(manifest.icons.map((i) => i.src), ['icon.svg']);
    // The installed app's colours are the dark theme's (the default).
    const theme = await page.evaluate(() => {
      const css = getComputedStyle(document.documentElement);
      return { bg: css.getPropertyValue('--bg').trim(), panel: css.getPropertyValue('--panel').trim() };
    });
    assert.deepEqual({ bg: manifest.background_color, panel: manifest.theme_color }, theme);

    await type(page, 'kubectl create deployment offline --image=nginx --replicas=2');
    await page.getByTestId('terminal-output').getByText('deployment.apps/offline created').waitFor();
    await page.waitForTimeout(1200);

    // Online, a reload asks the network for the page (a new deployment
    // shows) but takes the hashed files from the cache.
    server.requests.length = 0;
    await page.reload();
    await page.getByTestId('terminal-input').waitFor();
    assert.ok(server.requests.includes('/'), `the page came from the network: ${server.requests}`);
    assert.deepEqual(server.requests.filter((p) => /\.(js|wasm|svg)$/.test(p) && p !== '/sw.js'), [], 'assets from the cache');

    // The network goes: the server stops and the browser is offline.
    await server.close();
    await page.context().setOffline(true);
    await assert.rejects(fetch(url), 'nothing answers any more');
    await page.reload();
    await page.getByTestId('terminal-input').waitFor();
    await page.locator('[data-pod^="default/offline-"]').nth(1).waitFor();
    await page.getByTestId('step-15').click();
    await type(page, 'kubectl get deploy offline');
    await page.getByTestId('terminal-output').getByText(/^offline\s+2\/2\s+2\s+2\s/).waitFor();
    await type(page, 'kubectl run while-offline --image=busybox -- sleep 3600');
    await page.getByTestId('terminal-output').getByText('pod/while-offline created').waitFor();
    await page.locator('[data-pod="default/while-offline"]').waitFor();
    await shoot(page, 'offline-reloaded-without-network');
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('a new build installs a worker with a cache of its own and the old cache goes', async () => {
  const { page, errors, close } = await open();
  try {
    await page.getByTestId('terminal-input').waitFor();
    const first = new URL(await controlled(page)).searchParams.get('build');
    assert.deepEqual(Object.keys(await cached(page)), [`kubeplay-${first}`]);
    // What the page does when its hashed file names change.
    await page.evaluate(() => navigator.serviceWorker.register('sw.js?build=next', { scope: './' }));
    await page.waitForFunction(() => navigator.serviceWorker.controller?.scriptURL.endsWith('build=next'), null, {
      timeout: 60_000,
    });
    await page.waitForFunction(async () => (await caches.keys()).join() === 'kubeplay-next', null, { timeout: 10_000 });
    const now = await cached(page);
    assert.ok(now['kubeplay-next'].includes('/'), 'the new cache holds the page');
    assert.ok(now['kubeplay-next'].some((p) => p.endsWith('_bg.wasm')), 'and the engine');
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('with service workers blocked the page is the same page', async () => {
  const { page, errors, close } = await open({ serviceWorkers: 'block' });
  try {
    await page.getByTestId('terminal-input').waitFor();
    await type(page, 'kubectl get nodes');
    await page.getByTestId('terminal-output').getByText(/^m-k8s\s+Ready\s+control-plane/).waitFor();
    await page.waitForTimeout(1000);
    assert.equal(await page.evaluate(() => navigator.serviceWorker?.controller ?? null), null, 'no worker controls it');
    assert.deepEqual(await page.evaluate(() => caches.keys()), [], 'and nothing was cached');
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
