import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/index.ts';
import { ScaledClock } from '../../src/agv/sim/index.ts';
import type { AgvController } from '../../src/agv/index.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { joinSite, type RobotApi } from '../../examples/vendor-adapter.ts';
import { demoSite, e2eConfig, submitTask, taskPairs, TIME_FACTOR, waitFor } from '../rcs/e2e-harness.ts';

// The vendor adapter example of docs/sdk.md (examples/vendor-adapter.ts), run as written against a real platform
// over real TCP on the demo warehouse: the robot it drives must carry a task from pick to drop.

/** A stand-in for the vendor's firmware: drives straight lines at the speed asked, lifts in two seconds. */
class KinematicRobot implements RobotApi {
  heading = 0;
  speed = 0;
  batteryPermille = 900;
  carrying = false;
  visited: string[] = [];

  constructor(
    private readonly clock: Clock,
    public x: number,
    public y: number,
  ) {}

  moveTo(x: number, y: number, maxSpeed: number): Promise<void> {
    return new Promise((resolve) => {
      const step = () => {
        const dx = x - this.x;
        const dy = y - this.y;
        const gap = Math.hypot(dx, dy);
        const travel = maxSpeed * 0.05;
        if (gap <= travel) {
          [this.x, this.y, this.speed] = [x, y, 0];
          this.visited.push(`${x},${y}`);
          resolve();
          return;
        }
        this.heading = Math.atan2(dy, dx) * 1000;
        this.speed = maxSpeed;
        this.x += (dx / gap) * travel;
        this.y += (dy / gap) * travel;
        this.clock.setTimeout(step, 50);
      };
      step();
    });
  }

  lift(up: boolean): Promise<void> {
    return new Promise((resolve) => {
      this.clock.setTimeout(() => {
        this.carrying = up;
        resolve();
      }, 2_000);
    });
  }
}

describe('vendor adapter example (docs/sdk.md)', () => {
  let platform: PlatformHandle | undefined;
  let controller: AgvController | undefined;
  afterEach(async () => {
    controller?.stop();
    await platform?.stop();
  });

  it('is shown in docs/sdk.md exactly as the file the test runs', () => {
    const example = readFileSync(new URL('../../examples/vendor-adapter.ts', import.meta.url), 'utf8');
    expect(readFileSync(new URL('../../docs/sdk.md', import.meta.url), 'utf8')).toContain('```ts\n' + example + '```');
  });

  it('joins a real platform and carries a task from pick to drop', async () => {
    const site = await demoSite();
    const clock = new ScaledClock(TIME_FACTOR);
    platform = await startPlatform(e2eConfig(), { site, clock });
    const parking = site.parking[0]!.node;
    const number = site.nodes.findIndex((n) => n.id === parking) + 1;
    const node = site.nodes[number - 1]!;
    const robot = new KinematicRobot(clock, node.x * 1000, node.y * 1000);
    controller = joinSite(robot, { host: '127.0.0.1', port: platform.rcsPort, agvId: 'HX-0042', startNode: number, clock });
    await waitFor('the robot online', () => platform!.registry.get('HX-0042')?.connection === 'online');

    const [pair] = taskPairs(site, 1);
    const { status, json } = await submitTask(platform.apiUrl, platform.demoApiKey!, pair!);
    expect(status).toBe(201);
    await waitFor('the task completed', async () => (await platform!.tasks.get(json.id as string))?.state === 'completed', 90_000);

    const task = (await platform.tasks.get(json.id as string))!;
    expect(task.agvId).toBe('HX-0042');
    expect(task.history.map((h) => h.to)).toEqual(expect.arrayContaining(['picking', 'to_drop', 'dropping', 'completed']));
    const drop = site.nodes.find((n) => n.id === site.stations.find((s) => s.id === pair!.drop)!.node)!;
    expect(robot.visited).toContain(`${drop.x * 1000},${drop.y * 1000}`);
    expect(robot.carrying).toBe(false);
  });
});
