// Benchmark, not a test: how long a key typed into the terminal takes to
// show while the `large` preset (a control plane and 5,000 workers) runs.
// Starts the preset from the lesson list's preset picker, runs the clock at
// each speed asked, lets it settle, then presses keys at uneven intervals
// and measures, in the page, each keydown's timestamp (when the browser
// received it) to the next animation frame after it was handled (the frame
// that paints the character), and what the Event Timing API reports for
// the keydowns of 16 ms or more. Run against a built page:
//   node tests/browser/bench/input-latency.mjs [SPEEDS] [KEYS]
// e.g. `1,10 60` (the default): 60 keys at 1×, then 60 at 10×.
import { loadavg } from 'node:os';
import { open } from '../harness.mjs';

const speeds = (process.argv[2] ?? '1,10').split(',').map(Number);
const keys = Number(process.argv[3] ?? 60);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const { page, errors, close } = await open({ viewport: { width: 1400, height: 900 } });

/** The cluster's clock as ms since the epoch. */
async function clockMs() {
  const text = await page.getByTestId('clock').innerText();
  return Date.parse(text.replace(' UTC', 'Z').replace(' ', 'T'));
}

const at = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const figures = (list) => {
  const s = [...list].sort((a, b) => a - b);
  return `median ${at(s, 0.5).toFixed(1)} ms, p90 ${at(s, 0.9).toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms`;
};

try {
  await page.getByTestId('terminal-input').waitFor();
  await page.getByTestId('pause').click();
  console.log(`load before: ${load()}`);
  const started = Date.now();
  await page.getByTestId('preset').selectOption('large');
  await page.getByTestId('free-play').click();
  await page.locator('[data-testid="cluster-map"][data-mode="aggregate"]').waitFor({ timeout: 300_000 });
  const summary = await page.getByTestId('map-summary').innerText();
  console.log(`large preset started and drawn in ${Date.now() - started} ms: ${summary.replace(/\n/g, ' ')}`);

  // In-page probes: each keydown's latency to the next frame, and the
  // Event Timing API's entries.
  await page.evaluate(() => {
    window.__latency = [];
    window.__timing = [];
    const input = document.querySelector('[data-testid="terminal-input"]');
    input.addEventListener('keydown', (e) => {
      const t0 = e.timeStamp;
      requestAnimationFrame(() => window.__latency.push(performance.now() - t0));
    });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.name === 'keydown') window.__timing.push(e.duration);
    }).observe({ type: 'event', durationThreshold: 16, buffered: false });
  });

  for (const speed of speeds) {
    await page.getByTestId(`speed-${speed}`).click();
    await page.waitForTimeout(5000);
    const simStart = await clockMs();
    const realStart = Date.now();
    await page.evaluate(() => { window.__latency = []; window.__timing = []; });
    const input = page.getByTestId('terminal-input');
    await input.click();
    // Keys at uneven intervals land at every phase of the clock's tick.
    const letters = 'kubectl get pods -A ';
    for (let i = 0; i < keys; i++) {
      if (i > 0 && i % letters.length === 0) {
        await input.fill('');
      }
      await page.keyboard.press(letters[i % letters.length]);
      await page.waitForTimeout(60 + ((i * 37) % 140));
    }
    await page.waitForTimeout(300);
    const { latency, timing } = await page.evaluate(() => ({ latency: window.__latency, timing: window.__timing }));
    const simulated = (await clockMs()) - simStart;
    const real = Date.now() - realStart;
    const pace = await page.getByTestId('pace').count() ? await page.getByTestId('pace').innerText() : 'keeping up';
    const draws = await page.getByTestId('map-canvas').getAttribute('data-draw-ms');
    await input.fill('');
    console.log(`${speed}x: ${latency.length} keys, keydown to next frame: ${figures(latency)}; ` +
      `Event Timing: ${timing.length} of ${latency.length} keydowns at 16 ms or more` +
      (timing.length ? ` (max ${Math.max(...timing)} ms)` : '') +
      `; clock ran ${(simulated / real).toFixed(2)}x of real time (${pace}); last map draw ${draws} ms; load ${load()}`);
  }
  await page.getByTestId('pause').click();
  if (errors.length) console.log(`page errors: ${errors.join('; ')}`);
} finally {
  await close();
}
