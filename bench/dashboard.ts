// Browser benchmark of the live dashboard: headless Debian Chromium (software rendering, --disable-gpu) opens the
// map with N moving AGVs fed over the real WebSocket feed (10 Hz, diffed) and measures frames per second.
//   npm run bench:dashboard                 → steps 500, 1000, 2000 AGVs
//   npm run bench:dashboard -- --agvs 2000 --seconds 10
// One JSON object per line on stdout.
import { launchChromium } from '../test/browser/chromium.ts';
import { DEV_USERS, startDevServer } from '../scripts/ops/dev-server.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const steps = arg('agvs') ? [Number(arg('agvs'))] : [500, 1000, 2000];
const seconds = Number(arg('seconds') ?? 10);

interface FrameStats {
  frames: number;
  elapsedMs: number;
  p50: number;
  p95: number;
  max: number;
  drawnAgvs: number;
  drawMs: number;
}

async function measure(agvs: number): Promise<Record<string, unknown>> {
  const server = await startDevServer({ agvs, taskEveryMs: 200 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.url);
    const viewer = DEV_USERS.find((u) => u.role === 'viewer')!;
    await page.fill('[data-testid=login-user]', viewer.username);
    await page.fill('[data-testid=login-password]', viewer.password);
    await page.click('[data-testid=login-submit]');
    await page.waitForFunction(`(window.__unifleetMap?.drawnAgvs ?? 0) >= ${agvs}`, undefined, { timeout: 30_000 });
    await page.waitForTimeout(2000); // warm-up: JIT, first layer draw
    const bytesBefore = server.ops.feed.bytesSent;
    // Passed as source text: tsx would otherwise wrap named functions in a helper that does not exist in the page.
    const stats = (await page.evaluate(`(async (ms) => {
      const gaps = [];
      const start = performance.now();
      const framesBefore = window.__unifleetMap.frames;
      const drawBefore = window.__unifleetMap.drawMs;
      let last = start;
      await new Promise((resolve) => {
        const tick = (t) => {
          gaps.push(t - last);
          last = t;
          if (t - start < ms) requestAnimationFrame(tick);
          else resolve();
        };
        requestAnimationFrame(tick);
      });
      const elapsedMs = performance.now() - start;
      gaps.sort((a, b) => a - b);
      const q = (p) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))];
      return { frames: window.__unifleetMap.frames - framesBefore, elapsedMs, p50: q(0.5), p95: q(0.95), max: gaps[gaps.length - 1], drawnAgvs: window.__unifleetMap.drawnAgvs, drawMs: window.__unifleetMap.drawMs - drawBefore };
    })(${seconds * 1000})`)) as FrameStats;
    const bytes = server.ops.feed.bytesSent - bytesBefore;
    return {
      bench: 'dashboard',
      agvs,
      drawn_agvs: stats.drawnAgvs,
      fps: Math.round((stats.frames / stats.elapsedMs) * 10000) / 10,
      frame_p50_ms: Math.round(stats.p50 * 10) / 10,
      frame_p95_ms: Math.round(stats.p95 * 10) / 10,
      frame_max_ms: Math.round(stats.max * 10) / 10,
      draw_ms_per_frame: Math.round((stats.drawMs / Math.max(1, stats.frames)) * 10) / 10,
      feed_kb_per_s: Math.round(bytes / 1024 / (stats.elapsedMs / 1000)),
      renderer: 'chromium headless, --disable-gpu (software canvas)',
      seconds,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

for (const agvs of steps) console.log(JSON.stringify(await measure(agvs)));
