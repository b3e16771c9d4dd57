import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.ts';
import { memoryChannelPair, FramePeer, type RequestOutcome } from '../../src/agv/index.ts';
import { SimAgv, VENDOR_PROFILES } from '../../src/agv/sim/index.ts';
import { EXAMPLE_MESSAGES } from '../../src/protocol/examples.ts';
import { PROTOCOL_VERSION, SPECIAL, type MessageOfKind } from '../../src/protocol/index.ts';

// AgvController over the simulated-motion adapter, facing a platform end the test scripts frame by frame (so it can
// send what the platform never does: node actions, updates that do not stitch), on a ManualClock.

type Status = MessageOfKind<'statusReport'>;
type Action = MessageOfKind<'actuatorCommand'>['action'];
const profile = VENDOR_PROFILES[0]!;
const NODES: Record<number, [number, number]> = { 1: [0, 0], 2: [5000, 0], 3: [10000, 0], 4: [10000, 5000] };
const T0 = 1_700_000_000_000;

function order(orderId: number, updateId: number, ids: number[], released: number, actionsAt: Record<number, Action[]> = {}): MessageOfKind<'motionCommand'> {
  return {
    kind: 'motionCommand', orderId, orderUpdateId: updateId, taskType: 'move', releasedNodeCount: released,
    nodes: ids.map((id, i) => ({ nodeId: id, sequenceId: 2 * i, pose: { x: NODES[id]![0], y: NODES[id]![1], theta: SPECIAL.HEADING_FREE }, mapId: 1, allowedDeviation: 0, attribute: 'passThrough', actions: actionsAt[id] ?? [] })),
    edges: ids.slice(1).map((id, i) => ({ edgeId: 500 + i, sequenceId: 2 * i + 1, startNodeId: ids[i]!, endNodeId: id, maxSpeed: 0, maxAngularSpeed: 0, movement: 'forward', orientation: SPECIAL.HEADING_FREE, trajectory: 'line', controlPoints: [], actions: [] })),
  };
}

const lift = (actionId: number, up: boolean): Action => ({ actionId, actuator: 'lift', actuatorIndex: 0, liftAdjust: up ? 'toTop' : 'toBottom', blocking: true, params: [] });

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

describe('AgvController', () => {
  let agv: SimAgv | undefined;
  afterEach(() => agv?.stop());

  async function connect() {
    const clock = new ManualClock(T0);
    const [agvEnd, platformEnd] = memoryChannelPair();
    const platform = new FramePeer(platformEnd, { clock });
    const statuses: Status[] = [];
    const received: MessageOfKind<'mapSwitchResult' | 'navModeSwitchResult'>[] = [];
    platform.onFrame(({ message: m }) => {
      if (m.kind === 'mapSwitchResult' || m.kind === 'navModeSwitchResult') received.push(m);
      if (m.kind === 'accessRequest') platform.send({ ...EXAMPLE_MESSAGES.accessResponse, version: PROTOCOL_VERSION });
      if (m.kind === 'registerRequest') {
        platform.send(EXAMPLE_MESSAGES.registerAck);
        // A long period: every report the test sees was sent because something happened.
        platform.send({ ...EXAMPLE_MESSAGES.globalConfig, statusPeriod: 60_000, heartbeatPeriod: 60_000, heartbeatTimeout: 900_000 });
      }
      if (m.kind === 'statusReport') statuses.push(m);
    });
    agv = new SimAgv({ id: 'C-1', profile, serial: 'C1', start: { nodeNumber: 1, x: 0, y: 0 }, mapNumber: 1, clock, batteryPct: 80, connect: async () => agvEnd });
    agv.start();
    await settle();
    const sim = agv;
    const send = async (message: Parameters<FramePeer['request']>[0]): Promise<RequestOutcome> => {
      const outcome = platform.request(message);
      await settle();
      return outcome;
    };
    const run = async (ms: number) => {
      for (let t = 0; t < ms; t += 100) {
        clock.advance(100);
        sim.update(clock.now());
        await settle();
      }
    };
    const last = () => statuses.at(-1)!;
    return { clock, send, run, statuses, last, sim, received };
  }

  it('drives only released nodes, reports each arrival at once, stitches updates and refuses those that do not stitch', async () => {
    const { send, run, statuses, last, sim } = await connect();
    expect(last().state).toBe('idle');
    expect(await send(order(7, 0, [1, 2, 3], 2))).toMatchObject({ ok: true });
    await run(20_000);
    expect(sim.body.motion).toMatchObject({ x: 5, lastNodeId: '2' });
    expect(statuses.some((s) => s.lastNodeId === 2 && s.state === 'waiting' && s.orderId === 7)).toBe(true);
    expect(await send(order(7, 1, [1, 3], 2))).toMatchObject({ ok: false, code: 'ORDER_UPDATE_REJECTED' });
    expect(await send(order(7, 1, [2, 3, 4], 2))).toMatchObject({ ok: true });
    await run(20_000);
    expect(last()).toMatchObject({ orderId: 7, orderUpdateId: 1, lastNodeId: 3, lastNodeSequenceId: 2, state: 'waiting' });
    expect(sim.body.motion.x).toBeCloseTo(10, 6);
  });

  it('a new order that starts behind the vehicle skips the nodes it already passed', async () => {
    const { send, run, sim } = await connect();
    await send(order(1, 0, [1, 2], 2));
    await run(20_000);
    await send(order(2, 0, [1, 2, 3], 3));
    expect(sim.body.motion.ahead.map((p) => p.id)).toEqual(['3']);
  });

  it('runs an actuator command, reports it running, refuses another meanwhile and reports it finished once', async () => {
    const { send, run, statuses, last, sim } = await connect();
    expect(await send({ kind: 'actuatorCommand', action: lift(11, true) })).toMatchObject({ ok: true });
    expect(last()).toMatchObject({ state: 'executingAction', actions: [{ actionId: 11, state: 'running' }] });
    expect(await send({ kind: 'actuatorCommand', action: lift(12, false) })).toMatchObject({ ok: false, code: 'BUSY' });
    await run(profile.actionMs + 200);
    expect(statuses.filter((s) => s.actions.some((a) => a.state === 'finished'))).toHaveLength(1);
    expect(statuses.find((s) => s.actions.some((a) => a.state === 'finished'))).toMatchObject({ loadState: 'loaded', state: 'idle' });
    sim.client.reportStatus();
    await settle();
    expect(last().actions).toEqual([]);
  });

  it('stops at a node with a blocking action and drives on only after the action finished', async () => {
    const { send, run, sim, statuses } = await connect();
    expect(await send(order(3, 0, [1, 2, 3], 3, { 2: [lift(21, true)] }))).toMatchObject({ ok: true });
    expect(statuses.at(-1)?.actions ?? []).toEqual([]);
    while (sim.body.motion.lastNodeId !== '2') await run(100);
    await run(profile.actionMs / 2);
    expect(sim.body.motion).toMatchObject({ x: 5, lastNodeId: '2', ahead: [] });
    expect(statuses.at(-1)).toMatchObject({ state: 'executingAction', actions: [{ actionId: 21, state: 'running' }] });
    await run(profile.actionMs + 15_000);
    expect(sim.body.loaded).toBe(true);
    expect(sim.body.motion.lastNodeId).toBe('3');
    expect(statuses.some((s) => s.actions.some((a) => a.actionId === 21 && a.state === 'finished'))).toBe(true);
  });

  it('pauses, resumes, cancels at the next node, and refuses orders under emergency stop', async () => {
    const { send, run, last, sim } = await connect();
    await send(order(4, 0, [1, 2, 3, 4], 4));
    await run(1_000);
    expect(await send({ kind: 'motionControl', command: 'pause', orderId: 0 })).toMatchObject({ ok: true });
    await run(3_000);
    const x = sim.body.motion.x;
    await run(2_000);
    expect(sim.body.motion.x).toBe(x);
    expect(last().state).toBe('paused');
    expect(await send({ kind: 'motionControl', command: 'cancel', orderId: 99 })).toMatchObject({ ok: false, code: 'UNKNOWN_ORDER' });
    await send({ kind: 'motionControl', command: 'resume', orderId: 4 });
    await send({ kind: 'motionControl', command: 'cancel', orderId: 0 });
    await run(20_000);
    expect(sim.body.motion.lastNodeId).toBe('2');
    expect(last()).toMatchObject({ lastNodeId: 2, state: 'waiting' });
    await send({ kind: 'motionControl', command: 'emergencyStop', orderId: 0 });
    expect(last()).toMatchObject({ state: 'emergencyStop', eStop: 'remote' });
    expect(await send(order(5, 0, [2, 3], 2))).toMatchObject({ ok: false, code: 'INVALID_STATE' });
    await send({ kind: 'motionControl', command: 'releaseEmergencyStop', orderId: 0 });
    expect(await send(order(5, 0, [2, 3], 2))).toMatchObject({ ok: true });
  });

  it('reports a change of the vehicle itself at once: a stall is an error, charging charges', async () => {
    const { send, run, statuses, last, sim } = await connect();
    const before = statuses.length;
    sim.body.faults.stalled = true;
    await run(200);
    expect(statuses.length).toBe(before + 1);
    expect(last()).toMatchObject({ state: 'error', errors: [{ code: 2001, severity: 'error' }] });
    sim.body.faults.stalled = false;
    expect(await send({ kind: 'chargingCommand', action: 'start', chargerId: 0, targetLevel: 0xffff })).toMatchObject({ ok: true });
    expect(last()).toMatchObject({ state: 'charging', charging: true });
    await run(30_000);
    sim.client.reportStatus();
    await settle();
    expect(last().battery).toBeGreaterThan(800);
  });

  it('switches maps standing at the switch point: relocalises at the pose given, reports the new map and no old node; reports a failed relocalisation', async () => {
    const { last, run, sim, send, received } = await connect();
    const mapSwitch = (requestId: number, switchNodeId: number) =>
      void send({ kind: 'mapSwitch', requestId, targetMapId: 2, switchNodeId, initialPose: { x: 1500, y: -2500, theta: 1571 } });
    mapSwitch(1, 7);
    await run(200);
    expect(received.at(-1)).toMatchObject({ requestId: 1, result: 'notAtSwitchPoint', currentMapId: 1 });
    sim.body.faults.failedRelocalisations = 1;
    mapSwitch(2, 1);
    await run(3_000);
    expect(received.at(-1)).toMatchObject({ requestId: 2, result: 'failed', currentMapId: 1, detail: 'localisation score 12 % below 60 %' });
    mapSwitch(3, 1);
    await run(3_000);
    expect(received.at(-1)).toMatchObject({ requestId: 3, result: 'success', currentMapId: 2, localisationScore: 92 });
    expect(last()).toMatchObject({ mapId: 2, lastNodeId: 0, pose: { x: 1500, y: -2500, theta: 1571 } });
  });

  it('switches navigation mode where it stands and reports it', async () => {
    const { last, run, send, received } = await connect();
    expect(last().navMode).toBe('qrCode');
    void send({ kind: 'navModeSwitch', requestId: 4, targetMode: 'laserSlam', switchNodeId: 0 });
    await run(1_000);
    expect(received.at(-1)).toMatchObject({ requestId: 4, result: 'success', currentMode: 'laserSlam' });
    expect(last().navMode).toBe('laserSlam');
  });
});
