import { afterEach, describe, expect, it } from 'vitest';
import { ScaledClock, Simulator } from '../../src/agv/sim/index.ts';
import type { FrameChannel } from '../../src/agv/transport/channel.ts';
import { connectTcp } from '../../src/agv/transport/tcp.ts';
import { startPlatform, type PlatformHandle } from '../../src/rcs/platform.ts';
import { COMPACT_PROFILES, demoSite, e2eConfig, submitTask, taskPairs, TIME_FACTOR, waitFor } from './e2e-harness.ts';

// An AGV that goes silent but keeps its socket open (as a client that faked a pick-up and vanished did): nothing it
// could send closes its session, only the platform's heartbeat timeout does. Real sockets; the silent AGV's bytes
// are dropped on its side of the connection.

describe('an AGV that goes silent with its socket open', () => {
  let platform: PlatformHandle | undefined;
  let sim: Simulator | undefined;
  afterEach(async () => {
    sim?.stop();
    await platform?.stop();
    platform = sim = undefined;
  });

  const silenced = new Set<string>();

  /** A TCP channel that stops sending once its AGV is in `silenced`, without closing. */
  async function silenceable(agvId: string, port: number): Promise<FrameChannel> {
    const tcp = await connectTcp('127.0.0.1', port);
    return {
      get peer() {
        return tcp.peer;
      },
      get bufferedBytes() {
        return tcp.bufferedBytes;
      },
      get closed() {
        return tcp.closed;
      },
      send: (bytes) => (silenced.has(agvId) ? !tcp.closed : tcp.send(bytes)),
      onData: (l) => tcp.onData(l),
      onClose: (l) => tcp.onClose(l),
      close: () => tcp.close(),
    };
  }

  async function start(): Promise<PlatformHandle> {
    silenced.clear();
    const site = await demoSite();
    const clock = new ScaledClock(TIME_FACTOR);
    const p = await startPlatform(e2eConfig(), { site, clock });
    sim = new Simulator({ clock, nodes: site.nodes, count: 2, startNodes: site.parking.map((x) => x.node), host: '127.0.0.1', port: p.rcsPort, connect: (id) => silenceable(id, p.rcsPort), profiles: COMPACT_PROFILES, batteryPct: () => 90 });
    sim.start();
    platform = p;
    await waitFor('AGVs online', () => p.registry.onlineCount() === 2);
    return p;
  }

  /** Starts the platform and two AGVs, submits one task and silences its AGV once the task reaches `state`. */
  async function silenceIn(state: 'to_pick' | 'to_drop'): Promise<{ p: PlatformHandle; taskId: string; silent: string }> {
    const p = await start();
    const created = await submitTask(p.apiUrl, p.demoApiKey!, taskPairs(p.site, 1)[0]!);
    expect(created.status).toBe(201);
    const taskId = created.json.id as string;
    await waitFor(`task in ${state}`, async () => (await p.tasks.get(taskId))?.state === state);
    const silent = (await p.tasks.get(taskId))!.agvId!;
    silenced.add(silent);
    return { p, taskId, silent };
  }

  it('before pick-up: the task is re-queued once the heartbeat timeout closes the session, and another AGV takes it', async () => {
    const { p, taskId, silent } = await silenceIn('to_pick');
    await waitFor('task handed to the other AGV', async () => {
      const t = await p.tasks.get(taskId);
      return t!.agvId !== null && t!.agvId !== silent;
    });
    const history = (await p.tasks.get(taskId))!.history;
    expect(history.find((h) => h.to === 'queued' && h.from !== null)?.detail).toBe(`${silent} went offline before pick-up`);
    // Nothing from the silent AGV closed its session: the platform did, on the heartbeat timeout.
    expect(p.registry.get(silent)?.connection).toBe('offline');
    expect(await p.store.events.query({ type: 'agv.offline', agvId: silent })).toHaveLength(1);
  });

  it('after pick-up: the task becomes an exception once the heartbeat timeout passes', async () => {
    const { p, taskId, silent } = await silenceIn('to_drop');
    await waitFor('task in exception', async () => (await p.tasks.get(taskId))?.state === 'exception');
    expect(await p.tasks.get(taskId)).toMatchObject({ agvId: silent });
    await waitFor('lost-load alarm', () => p.ops!.alarms.active().some((a) => a.code === 'LOAD_ON_LOST_AGV' && a.taskId === taskId));
  });
});
