import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AddressInfo } from 'node:net';
import type { DeltaMessage, DetailMessage, HelloMessage, ServerMessage, SnapshotMessage } from '../../src/rcs/ops/index.ts';
import type { DoorStatusView, LiftStatusView } from '../../src/rcs/ops/ports.ts';
import { PASSWORDS, startHarness, type Harness } from './harness.ts';

let h: Harness;
afterEach(async () => h?.close());

class Inbox {
  readonly messages: ServerMessage[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as ServerMessage);
      for (const w of this.waiters.splice(0)) w();
    });
  }
  async next<T extends ServerMessage>(type: T['type'], from = 0, where: (m: T) => boolean = () => true): Promise<T> {
    for (;;) {
      const found = this.messages.slice(from).find((m) => m.type === type && where(m as T));
      if (found) return found as T;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} message; got ${this.messages.map((m) => `${m.type}:${"seq" in m ? m.seq : ""}`).join(" ")}`)), 5000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

async function connect(cookie?: string): Promise<{ ws: WebSocket; inbox: Inbox }> {
  const port = (h.app.server.address() as AddressInfo).port;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, { headers: cookie ? { cookie } : {} });
  const inbox = new Inbox(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { ws, inbox };
}

describe('live feed over WebSocket', () => {
  it('sends hello and a snapshot, then throttled deltas with only the AGVs that changed', async () => {
    h = await startHarness({ agvs: 30 });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const login = await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'viewer', password: PASSWORDS.viewer } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const { ws, inbox } = await connect(cookie);
    const hello = await inbox.next<HelloMessage>('hello');
    expect(hello.user).toEqual({ name: 'viewer', role: 'viewer' });
    expect(hello.map.nodes.length).toBe(36);
    expect(hello.throttleMs).toBe(100);
    const snapshot = await inbox.next<SnapshotMessage>('snapshot');
    expect(snapshot.agvs).toHaveLength(30);

    // Freeze all AGVs but one: the next delta carries exactly that one.
    for (const a of h.fleet.agvs()) if (a.id !== 'acme-0001') (a as { emergencyStop: boolean }).emergencyStop = true;
    h.clock.advance(1500); // alarms for the e-stops appear (and reach the feed), AGVs stop
    const seqBefore = h.ops.feed.sequence;
    h.clock.advance(200);
    const delta = await inbox.next<DeltaMessage>('delta', 0, (m) => m.seq === seqBefore + 1);
    // A pure move travels in the compact form.
    expect(delta.agvs).toEqual([]);
    expect(delta.moves[0]).toBe('acme-0001');
    expect(delta.moves).toHaveLength(4);
    expect(delta.seq).toBeGreaterThan(snapshot.seq);

    // Nothing changes → nothing is sent.
    h.fleet.agv('acme-0001')!.emergencyStop = true;
    h.clock.advance(1500);
    const quietSeq = h.ops.feed.sequence;
    h.clock.advance(1000);
    expect(h.ops.feed.sequence).toBe(quietSeq);

    // Selecting an AGV streams its held and planned path.
    const agv = h.fleet.agv('hikro-0002')!;
    agv.heldNodes = ['n0_0', 'n0_1'];
    agv.plannedPath = ['n0_2'];
    ws.send(JSON.stringify({ type: 'select', agvId: 'hikro-0002' }));
    const detail = await inbox.next<DetailMessage>('detail');
    expect(detail).toEqual({ type: 'detail', agvId: 'hikro-0002', heldPath: ['n0_0', 'n0_1'], plannedPath: ['n0_2'] });

    // Malformed client messages are ignored.
    ws.send('{not json');
    const task = await h.ops.fleet.createTask({ from: 'S-top-0', to: 'S-bottom-3' });
    const seqNow = h.ops.feed.sequence;
    h.clock.advance(200);
    const taskDelta = await inbox.next<DeltaMessage>('delta', 0, (m) => m.seq === seqNow + 1);
    expect(taskDelta.tasks.map((t) => t.id)).toContain(task.id);
    ws.close();
  });

  it('carries the lifts and doors with their state and queue: all of them in the snapshot, then only those that change', async () => {
    h = await startHarness({ agvs: 2 });
    const lift: LiftStatusView = { id: 'LIFT-W', floor: 'F1', door: 'open', motion: 'idle', mode: 'agv', fault: null, riders: [], queue: [] };
    const door: DoorStatusView = { id: 'F2-FIRE-1', position: 'closed', fault: null };
    h.fleet.equipment = () => ({ lifts: [{ ...lift, riders: [...lift.riders], queue: [...lift.queue] }], doors: [{ ...door }] });
    for (const a of h.fleet.agvs()) (a as { emergencyStop: boolean }).emergencyStop = true;
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const login = await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'viewer', password: PASSWORDS.viewer } });
    const { ws, inbox } = await connect(String(login.headers['set-cookie']).split(';')[0]!);
    const snapshot = await inbox.next<SnapshotMessage>('snapshot');
    expect(snapshot.lifts).toEqual([lift]);
    expect(snapshot.doors).toEqual([door]);
    h.clock.advance(2000);

    // An AGV queues and the cabin leaves for the other floor: the next delta carries the lift, not the door.
    lift.queue = ['acme-0001'];
    lift.door = 'closed';
    lift.motion = 'up';
    const before = h.ops.feed.sequence;
    h.clock.advance(200);
    const delta = await inbox.next<DeltaMessage>('delta', 0, (m) => m.seq > before && m.lifts !== undefined);
    expect(delta.lifts).toEqual([{ ...lift, queue: ['acme-0001'], door: 'closed', motion: 'up' }]);
    expect(delta.doors).toBeUndefined();

    door.position = 'open';
    const beforeDoor = h.ops.feed.sequence;
    h.clock.advance(200);
    const doorDelta = await inbox.next<DeltaMessage>('delta', 0, (m) => m.seq > beforeDoor && m.doors !== undefined);
    expect(doorDelta.doors).toEqual([{ id: 'F2-FIRE-1', position: 'open', fault: null }]);
    expect(doorDelta.lifts).toBeUndefined();
    ws.close();
  });

  it('refuses the feed without a session', async () => {
    h = await startHarness();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    await expect(connect()).rejects.toThrow('HTTP 401');
  });
});
