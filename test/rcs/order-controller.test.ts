import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { AgvOrderController, type OrderControllerContext } from '../../src/rcs/dispatch/agv-order-controller.ts';
import { FleetJournal } from '../../src/rcs/dispatch/fleet-journal.ts';
import { RestartRecovery, recoveryGate } from '../../src/rcs/dispatch/restart-recovery.ts';
import { FleetRegistry } from '../../src/rcs/fleet/registry.ts';
import type { AgvIdentity, AgvLink, AgvStatus, CommandOutcome, ControlCommand, LoadAction, MotionOrder } from '../../src/rcs/fleet/types.ts';
import type { SiteMap } from '../../src/rcs/site/types.ts';
import { singleMapLevels } from '../../src/rcs/site/single-map.ts';
import { openStore, type Store } from '../../src/rcs/store/index.ts';
import { TaskService, type TaskState } from '../../src/rcs/tasks/index.ts';
import { ReservationTrafficController } from '../../src/rcs/traffic/reservation-controller.ts';
import { RoadGraph } from '../../src/rcs/traffic/road-graph.ts';

// One AGV's order controller against the real traffic controller, task service (SQLite in memory) and registry.
// Only the AGV's side is stood in for: a link that records every command and answers as told.

/** A corridor n0 … n6, 1 m apart: charger at n0, pick station at n3, drop station at n6. */
const site: SiteMap = {
  id: 'corridor',
  name: 'corridor',
  ...singleMapLevels('corridor', 'corridor'),
  nodes: Array.from({ length: 7 }, (_, i) => ({ id: `n${i}`, map: 'corridor', x: i, y: 0, kind: 'waypoint' as const })),
  edges: Array.from({ length: 6 }, (_, i) => ({ id: `e${i}`, from: `n${i}`, to: `n${i + 1}`, length: 1, maxSpeed: 1, bidirectional: true })),
  stations: [
    { id: 'PICK-1', node: 'n3', kind: 'pick' },
    { id: 'DROP-1', node: 'n6', kind: 'drop' },
  ],
  chargers: [{ id: 'CH-1', node: 'n0' }],
  parking: [],
};

const AGV = 'AGV-1';
const identity: AgvIdentity = { id: AGV, vendor: 'acme', model: 'm1', serial: 's1', type: 'lift', softwareVersion: '1', capabilities: {}, footprint: { lengthM: 1, widthM: 0.8 } };

type Sent =
  | { kind: 'motion'; order: MotionOrder }
  | { kind: 'control'; command: ControlCommand }
  | { kind: 'action'; action: LoadAction; stationId: string }
  | { kind: 'charging'; start: boolean };

class RecordingLink implements AgvLink {
  readonly mode = 'normal' as const;
  readonly sent: Sent[] = [];
  /** What the AGV answers to the next motion orders (accepted unless told otherwise). */
  motionOutcome: CommandOutcome = { ok: true, latencyMs: 1 };

  sendMotion(order: MotionOrder): Promise<CommandOutcome> {
    this.sent.push({ kind: 'motion', order });
    return Promise.resolve(this.motionOutcome);
  }
  sendControl(command: ControlCommand): Promise<CommandOutcome> {
    this.sent.push({ kind: 'control', command });
    return Promise.resolve({ ok: true, latencyMs: 1 });
  }
  sendLoadAction(action: LoadAction, stationId: string): Promise<CommandOutcome> {
    this.sent.push({ kind: 'action', action, stationId });
    return Promise.resolve({ ok: true, latencyMs: 1 });
  }
  sendCharging(start: boolean): Promise<CommandOutcome> {
    this.sent.push({ kind: 'charging', start });
    return Promise.resolve({ ok: true, latencyMs: 1 });
  }
  close(): void {}

  /** Motion orders as (orderId, updateId, released node ids). */
  orders(): { orderId: number; updateId: number; released: string[] }[] {
    return this.sent.flatMap((s) => (s.kind === 'motion' ? [{ orderId: s.order.orderId, updateId: s.order.updateId, released: s.order.released.map((p) => p.nodeId) }] : []));
  }
  others(): Sent[] {
    return this.sent.filter((s) => s.kind !== 'motion');
  }
}

/** Lets the store writes and the link's answers (promise callbacks) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('AgvOrderController', () => {
  let clock: ManualClock;
  let store: Store;
  let tasks: TaskService;
  let traffic: ReservationTrafficController;
  let registry: FleetRegistry;
  let recovery: RestartRecovery;
  let link: RecordingLink;
  let controller: AgvOrderController;
  let orderIds: number;

  beforeEach(() => {
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    store = openStore({ path: ':memory:' });
    tasks = new TaskService({ store, site, clock });
    const graph = new RoadGraph(site);
    traffic = new ReservationTrafficController(graph, { lookaheadNodes: 2 });
    registry = new FleetRegistry((id) => traffic.held(id), site.id);
    recovery = new RestartRecovery();
    orderIds = 100;
    const context: OrderControllerContext = {
      clock,
      graph,
      traffic,
      tasks,
      fleet: registry,
      stationNode: new Map(site.stations.map((s) => [s.id, s.node])),
      journal: new FleetJournal(clock, store.events, undefined),
      nextOrderId: () => orderIds++,
      recovery: recoveryGate(recovery, () => clock.now(), () => {}),
      nodeSnapM: 0.25,
      lostAfterMs: 5_000,
    };
    link = new RecordingLink();
    registry.connect(identity, link, clock.now());
    controller = new AgvOrderController(AGV, context);
  });

  /** The AGV reports a status (as the session does: into the registry, then to its controller). */
  async function report(node: string, over: Partial<AgvStatus> = {}): Promise<void> {
    const i = Number(node.slice(1));
    const status: AgvStatus = { at: clock.now(), x: i, y: 0, theta: 0, mapId: site.id, lastNodeId: node, speed: 0, battery: 80, charging: false, loaded: false, state: 'idle', actionRunning: false, emergencyStop: false, alarms: [], ...over };
    clock.advance(100);
    registry.updateStatus(AGV, status);
    controller.onStatus(status);
    await settle();
  }

  /** Reports standing on each node from `from` to `to` (inclusive) along the corridor. */
  async function driveAlong(from: number, to: number, over: Partial<AgvStatus> = {}): Promise<void> {
    const step = to >= from ? 1 : -1;
    for (let i = from; i !== to + step; i += step) await report(`n${i}`, over);
  }

  async function queuedTask(): Promise<string> {
    const { task } = await tasks.create({ pick: 'PICK-1', drop: 'DROP-1' });
    return task.id;
  }

  /** The AGV stands on n0 and takes a new task. */
  async function startTask(): Promise<string> {
    await report('n0');
    const taskId = await queuedTask();
    await take(taskId);
    return taskId;
  }

  async function take(taskId: string): Promise<void> {
    await controller.takeTask((await tasks.get(taskId))!);
    await settle();
  }

  async function stateOf(taskId: string): Promise<TaskState | undefined> {
    return (await tasks.get(taskId))?.state;
  }

  /** Walks a store task to `state` as the runtime would have before a restart. */
  async function taskIn(state: 'picking' | 'to_drop' | 'dropping'): Promise<string> {
    const id = await queuedTask();
    await tasks.assign(id, AGV);
    for (const s of ['to_pick', 'picking', 'to_drop', 'dropping'] as const) {
      await tasks.transition(id, s);
      if (s === state) break;
    }
    return id;
  }

  it('takes a task and sends an order that releases exactly the nodes traffic control granted', async () => {
    await report('n0');
    expect(controller.placed).toBe(true);
    const taskId = await queuedTask();
    await take(taskId);
    expect(await stateOf(taskId)).toBe('to_pick');
    expect((await tasks.get(taskId))!.agvId).toBe(AGV);
    expect(controller.job).toMatchObject({ kind: 'task', taskId, phase: 'to_pick', pickNode: 'n3', dropNode: 'n6' });
    expect(registry.live(AGV)!.currentTaskId).toBe(taskId);
    expect(link.orders()).toEqual([{ orderId: 100, updateId: 0, released: ['n0', 'n1', 'n2'] }]);
    expect(traffic.held(AGV)).toEqual(['n0', 'n1', 'n2']);
    const order = (link.sent[0] as { order: MotionOrder }).order;
    expect(order.announced.map((p) => p.nodeId)).toEqual(['n3']);
    expect(order.released[1]).toMatchObject({ nodeId: 'n1', x: 1, y: 0 });
  });

  it('keeps the node of an AGV it could not place blocked for everyone else until it is placed', async () => {
    // Another AGV holds n2 when AGV-1 first reports standing there (both bodies cannot be placed on one node).
    traffic.place('AGV-2', 'n2');
    await report('n2');
    expect(controller.placed).toBe(false);
    expect(traffic.blockedResources()).toEqual([{ id: `unplaced:${AGV}`, nodes: ['n2'], edges: [], holder: AGV }]);
    // The other leaves; a third AGV may not be granted the node AGV-1 stands on.
    traffic.release('AGV-2');
    traffic.place('AGV-2', 'n6');
    traffic.place('AGV-3', 'n0');
    const grant = traffic.request('AGV-3', 'n4', clock.now());
    expect(traffic.held('AGV-3')).not.toContain('n2');
    expect(grant.kind).not.toBe('arrived');
    // Once AGV-1 is placed where it stands, the block goes.
    await report('n2');
    expect(controller.placed).toBe(true);
    expect(traffic.blockedResources()).toEqual([]);
  });

  it('extends the order on arrival at each node with updates that start at the last released node', async () => {
    await startTask();
    await report('n1', { speed: 0.8 });
    await report('n2', { speed: 0.8 });
    expect(link.orders()).toEqual([
      { orderId: 100, updateId: 0, released: ['n0', 'n1', 'n2'] },
      { orderId: 100, updateId: 1, released: ['n2', 'n3'] },
    ]);
    // Standing between nodes (beyond the snap distance) is no progress: nothing is released behind the AGV.
    const between: AgvStatus = { at: clock.now(), x: 2.5, y: 0, theta: 0, mapId: site.id, lastNodeId: 'n2', speed: 0.8, battery: 80, charging: false, loaded: false, state: 'moving', actionRunning: false, emergencyStop: false, alarms: [] };
    registry.updateStatus(AGV, between);
    controller.onStatus(between);
    await settle();
    expect(traffic.held(AGV)).toEqual(['n2', 'n3']);
    expect(link.orders()).toHaveLength(2);
  });

  it('runs pick and drop at the stations and moves the task through its lifecycle', async () => {
    const taskId = await startTask();
    await driveAlong(1, 2);
    // On the pick node but still rolling: not arrived yet.
    await report('n3', { speed: 0.3 });
    expect(await stateOf(taskId)).toBe('to_pick');
    await report('n3');
    expect(await stateOf(taskId)).toBe('picking');
    expect(link.others()).toEqual([{ kind: 'action', action: 'pick', stationId: 'PICK-1' }]);
    await report('n3');
    // Still running, then finished with the load on board: only then does the AGV leave for the drop.
    await report('n3', { actionRunning: true });
    expect(controller.job).toMatchObject({ phase: 'picking' });
    await report('n3', { loaded: true });
    expect(await stateOf(taskId)).toBe('to_drop');
    expect(controller.job).toMatchObject({ phase: 'to_drop' });
    const toDrop = link.orders().at(-1)!;
    expect(toDrop).toEqual({ orderId: 101, updateId: 0, released: ['n3', 'n4', 'n5'] });
    await driveAlong(4, 6, { loaded: true });
    expect(await stateOf(taskId)).toBe('dropping');
    expect(link.others().at(-1)).toEqual({ kind: 'action', action: 'drop', stationId: 'DROP-1' });
    await report('n6', { loaded: false });
    expect(await stateOf(taskId)).toBe('completed');
    expect(controller.job).toEqual({ kind: 'idle' });
    expect(registry.live(AGV)!.currentTaskId).toBeUndefined();
    // Each action went out once, however many status reports came in.
    expect(link.others().filter((s) => s.kind === 'action')).toHaveLength(2);
    const ids = link.orders().map((o) => `${o.orderId}/${o.updateId}`);
    expect(ids).toEqual(['100/0', '100/1', '101/0', '101/1']);
  });

  it('starts a new order when the goal changes or a new session replaces the old one', async () => {
    await report('n0');
    controller.park('n6');
    controller.drive();
    await settle();
    const taskId = await queuedTask();
    await take(taskId);
    await report('n1', { speed: 0.8 });
    registry.connect(identity, link, clock.now());
    controller.onOnline();
    await report('n2', { speed: 0.8 });
    expect(link.orders()).toEqual([
      { orderId: 100, updateId: 0, released: ['n0', 'n1', 'n2'] },
      { orderId: 101, updateId: 0, released: ['n0', 'n1', 'n2'] },
      { orderId: 101, updateId: 1, released: ['n2', 'n3'] },
      { orderId: 102, updateId: 0, released: ['n2', 'n3'] },
    ]);
  });

  it('commands the pick even when the AGV already reports a load on arrival, and moves on only after it ran', async () => {
    const taskId = await startTask();
    await driveAlong(1, 2);
    await report('n3', { loaded: true });
    expect(link.others()).toEqual([{ kind: 'action', action: 'pick', stationId: 'PICK-1' }]);
    expect(await stateOf(taskId)).toBe('picking');
    await report('n3', { loaded: true });
    expect(await stateOf(taskId)).toBe('to_drop');
  });

  it('starts a fresh order after the AGV refused one, instead of updating the refused order', async () => {
    await report('n0');
    link.motionOutcome = { ok: false, code: 'BUSY', message: 'not now' };
    const taskId = await queuedTask();
    await take(taskId);
    link.motionOutcome = { ok: true, latencyMs: 1 };
    controller.drive();
    await settle();
    expect(link.orders().map((o) => `${o.orderId}/${o.updateId}`)).toEqual(['100/0', '101/0']);
    expect((await store.events.query({ type: 'motion.refused', agvId: AGV })).length).toBe(1);
  });

  it('requeues a task when the AGV drops out before pick-up', async () => {
    const taskId = await startTask();
    registry.disconnect(AGV, link, 'socket closed');
    await controller.onOffline('socket closed');
    expect(controller.job).toEqual({ kind: 'idle' });
    expect(controller.awaitingResume).toBe(false);
    expect(await tasks.get(taskId)).toMatchObject({ state: 'queued', agvId: null });
    expect(traffic.held(AGV)).toEqual(['n0', 'n1', 'n2']);
  });

  it('resumes a loaded task on a new session when the AGV comes back after going offline mid-job', async () => {
    const taskId = await startTask();
    await driveAlong(1, 3);
    await report('n3', { loaded: true });
    await report('n4', { loaded: true, speed: 0.8 });
    registry.disconnect(AGV, link, 'socket closed');
    await controller.onOffline('socket closed');
    expect(controller.job).toEqual({ kind: 'idle' });
    expect(controller.awaitingResume).toBe(true);
    expect(await stateOf(taskId)).toBe('to_drop');

    const back = new RecordingLink();
    registry.connect(identity, back, clock.now());
    controller.onOnline();
    await report('n4', { loaded: true });
    expect(controller.awaitingResume).toBe(false);
    expect(controller.job).toMatchObject({ kind: 'task', taskId, phase: 'to_drop' });
    // The AGV forgot its order with the old session: a new order, starting where it stands.
    expect(back.orders()).toEqual([{ orderId: 102, updateId: 0, released: ['n4', 'n5', 'n6'] }]);
    expect((await store.events.query({ type: 'task.resumed', agvId: AGV })).map((e) => e.taskId)).toEqual([taskId]);
  });

  it('after a restart, tells a still-driving AGV to stop once and resumes its stored task when it stands still', async () => {
    const taskId = await taskIn('picking');
    recovery.begin([AGV], clock.now(), 60_000);
    controller.resumeWhenBack((await tasks.get(taskId))!);
    await report('n3', { x: 2.6, lastNodeId: 'n2', speed: 0.5, loaded: true });
    // Stopped, but between nodes: not yet somewhere traffic control can place it.
    await report('n3', { x: 2.6, lastNodeId: 'n2', speed: 0, loaded: true });
    expect(link.sent).toEqual([{ kind: 'control', command: 'cancel' }]);
    expect(controller.placed).toBe(false);
    expect(await stateOf(taskId)).toBe('picking');

    // Standing on the pick node with the load: the pick finished before the restart.
    await report('n3', { loaded: true });
    expect(controller.placed).toBe(true);
    expect(await stateOf(taskId)).toBe('to_drop');
    expect(controller.job).toMatchObject({ kind: 'task', taskId, phase: 'to_drop' });
    expect(link.orders()).toEqual([{ orderId: 100, updateId: 0, released: ['n3', 'n4', 'n5'] }]);
  });

  it('after a restart, completes a dropping task whose load is already gone, and repeats a drop still to do', async () => {
    const done = await taskIn('dropping');
    controller.resumeWhenBack((await tasks.get(done))!);
    await report('n6', { loaded: false });
    expect(await tasks.get(done)).toMatchObject({ state: 'completed', reason: null });
    expect(controller.job).toEqual({ kind: 'idle' });

    const pending = await taskIn('dropping');
    controller.resumeWhenBack((await tasks.get(pending))!);
    await report('n6', { loaded: true });
    expect(controller.job).toMatchObject({ kind: 'task', taskId: pending, phase: 'dropping' });
    expect(link.others()).toEqual([{ kind: 'action', action: 'drop', stationId: 'DROP-1' }]);
  });

  it('charges at the charger, stays there until charged enough to step aside, and stops charging for a task', async () => {
    await report('n2', { battery: 15 });
    controller.goCharge('CH-1', 'n0');
    controller.drive();
    await settle();
    expect(link.orders()).toEqual([{ orderId: 100, updateId: 0, released: ['n2', 'n1', 'n0'] }]);
    await driveAlong(1, 0, { battery: 15 });
    expect(controller.job).toEqual({ kind: 'charge', chargerId: 'CH-1', node: 'n0', phase: 'charging' });
    expect(link.others()).toEqual([{ kind: 'charging', start: true }]);
    expect(controller.canStepAside(60)).toBe(false);
    await report('n0', { battery: 70, charging: true });
    expect(controller.canStepAside(60)).toBe(true);

    const taskId = await queuedTask();
    await take(taskId);
    expect(link.others()).toEqual([{ kind: 'charging', start: true }, { kind: 'charging', start: false }]);
    expect(controller.job).toMatchObject({ kind: 'task', phase: 'to_pick' });
    expect(link.orders().at(-1)).toEqual({ orderId: 101, updateId: 0, released: ['n0', 'n1', 'n2'] });
    expect((await store.events.query({ type: 'agv.charging', agvId: AGV })).length).toBe(1);
  });

  it('stops working on a task cancelled elsewhere', async () => {
    const taskId = await startTask();
    controller.dropTask(taskId);
    expect(controller.job).toEqual({ kind: 'idle' });
    await report('n1', { speed: 0.5 });
    expect(link.orders()).toHaveLength(1);
    expect(traffic.held(AGV)).toEqual(['n1', 'n2']);
  });

  /** The AGV picks up at n3 and its session ends there. */
  async function pickUpThenDropOut(): Promise<string> {
    const taskId = await startTask();
    await driveAlong(1, 3);
    await report('n3', { loaded: true });
    registry.disconnect(AGV, link, 'socket closed');
    await controller.onOffline('socket closed');
    return taskId;
  }

  it('makes a loaded task an exception once its AGV stays away for the heartbeat timeout, and resumes it when the AGV returns', async () => {
    const taskId = await pickUpThenDropOut();
    clock.advance(4_000);
    await settle();
    expect(await stateOf(taskId)).toBe('to_drop');
    clock.advance(1_000);
    await settle();
    const lost = (await tasks.get(taskId))!;
    expect(lost).toMatchObject({ state: 'exception', agvId: AGV });
    expect(lost.reason).toContain('n3');
    expect(controller.awaitingResume).toBe(true);

    registry.connect(identity, new RecordingLink(), clock.now());
    controller.onOnline();
    await report('n3', { loaded: true });
    expect(await tasks.get(taskId)).toMatchObject({ state: 'to_drop', reason: null });
    expect(controller.job).toMatchObject({ kind: 'task', taskId, phase: 'to_drop' });
  });

  it('does not declare a task lost when its AGV is back within the heartbeat timeout', async () => {
    const taskId = await pickUpThenDropOut();
    registry.connect(identity, new RecordingLink(), clock.now());
    controller.onOnline();
    await report('n3', { loaded: true });
    clock.advance(10_000);
    await settle();
    expect((await tasks.get(taskId))!.history.map((h) => h.to)).not.toContain('exception');
  });

  it('after a restart, resumes an exception task from the state before it once its AGV reports', async () => {
    const id = await taskIn('dropping');
    await tasks.transition(id, 'exception', 'lost');
    controller.resumeWhenBack((await tasks.get(id))!);
    await report('n6', { loaded: false });
    expect(await tasks.get(id)).toMatchObject({ state: 'completed' });
  });

  it('forgets an exception task an operator resolved, even if its AGV comes back later', async () => {
    const id = await taskIn('to_drop');
    await tasks.transition(id, 'exception', 'lost');
    controller.resumeWhenBack((await tasks.get(id))!);
    await tasks.resolve(id, 'requeue', 'op');
    controller.dropTask(id);
    await report('n4', { loaded: true });
    expect(controller.job).toEqual({ kind: 'idle' });
    expect(await tasks.get(id)).toMatchObject({ state: 'queued', agvId: null });
  });
});
