// Takes docs/img/dashboard.png: the real platform with a simulated fleet on the demo site, seen by an operator.
//   npx tsx scripts/ops/screenshot.ts
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ScaledClock, Simulator } from '../../src/agv/sim/index.ts';
import { seededRandom } from '../../src/core/random.ts';
import { DEMO_DASHBOARD_USERS } from '../../src/demo/dashboard-users.ts';
import { demoTaskStations } from '../../src/demo/feeder.ts';
import { startNodesByFloor } from '../../src/demo/start-nodes.ts';
import { startPlatform } from '../../src/rcs/platform.ts';
import { DEMO_SITE_PATH, readSiteMapFile } from '../../src/rcs/site/index.ts';
import { launchChromium } from '../../test/browser/chromium.ts';

const ROOT = join(import.meta.dirname, '../..');
execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
const site = await readSiteMapFile(DEMO_SITE_PATH);
const clock = new ScaledClock(4);
const platform = await startPlatform(
  { apiHost: '127.0.0.1', apiPort: 0, rcsHost: '127.0.0.1', rcsPort: 0, dbPath: ':memory:', autoEnrol: true, autoApprove: true, demoKey: false, webhooks: false, logLevel: 'warn' },
  { site, clock, ops: { seedUsers: DEMO_DASHBOARD_USERS } },
);
const sim = new Simulator({ clock, nodes: site.nodes, maps: site.maps, count: 24, startNodes: startNodesByFloor(site), host: '127.0.0.1', port: platform.rcsPort });
sim.start();
// Tasks on each floor (a drop on the pick's floor), as the demo feeds them by default.
for (let i = 0; i < 30; i++) await platform.tasks.create(demoTaskStations(site, 0, seededRandom(i + 1)));
sim.agvs[5]!.body.faults.stalled = true;

const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
await page.goto(platform.apiUrl);
const operator = DEMO_DASHBOARD_USERS.find((u) => u.role === 'operator')!;
await page.fill('[data-testid=login-user]', operator.username);
await page.fill('[data-testid=login-password]', operator.password);
await page.click('[data-testid=login-submit]');
await page.waitForFunction('(window.__unifleet?.store.agvs.size ?? 0) >= 24 && (window.__unifleetMap?.drawnAgvs ?? 0) > 0');
await page.waitForTimeout(8000);
// Pin the AGV with the longest held path so its held and planned paths show.
const target = (await page.evaluate(
  '(() => { const s = window.__unifleet.store; let best = null; for (const m of s.agvs.values()) if (m.agv.map === window.__unifleetMap.floor && m.agv.task && (!best || m.agv.state === "moving")) best = m.agv.id; return best; })()',
)) as string | null;
if (target) {
  const at = (await page.evaluate(`window.__unifleet.mapView.screenOf(${JSON.stringify(target)})`)) as { x: number; y: number };
  const box = (await page.locator('[data-testid=map]').boundingBox())!;
  await page.mouse.click(box.x + at.x, box.y + at.y);
  await page.waitForTimeout(600);
}
await page.screenshot({ path: join(ROOT, 'docs/img/dashboard.png') });
await browser.close();
sim.stop();
await platform.stop();
console.log('wrote docs/img/dashboard.png');
