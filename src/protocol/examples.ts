// One realistic example of every message: used by the spec's test vectors, the round-trip tests, the fuzzer's
// seed corpus and the benchmark. Typed against the catalogue, so a declaration change shows up here at once.
import type { MessageKind, MessageOfKind } from './catalogue.ts';
import { accessProof, enrolmentSecretKey } from './access-proof.ts';

const point = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)));
const R_A = point('04' + '6c'.repeat(32) + '3d'.repeat(32));
const P_A = point('04' + '09'.repeat(32) + 'a1'.repeat(32));
const R_B = point('04' + '1f'.repeat(32) + '77'.repeat(32));
const P_B = point('04' + 'b2'.repeat(32) + '5e'.repeat(32));
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Builds a motion command along a straight corridor with n nodes, the first `released` of them released. */
export function exampleMotionCommand(n: number, released = Math.ceil(n / 2)): MessageOfKind<'motionCommand'> {
  const nodes = Array.from({ length: n }, (_, i) => ({
    nodeId: 100 + i,
    sequenceId: i * 2,
    pose: { x: i * 1500, y: 3000, theta: i === n - 1 ? 0 : -32768 },
    mapId: 1,
    allowedDeviation: i === n - 1 ? 20 : 0,
    attribute: i === n - 1 ? ('stopForAction' as const) : ('passThrough' as const),
    actions: i === n - 1
      ? [{ actionId: 1, actuator: 'lift' as const, actuatorIndex: 0, liftAdjust: 'absolute' as const, blocking: true, params: [{ param: 'height' as const, value: 80 }] }]
      : [],
  }));
  const edges = Array.from({ length: n - 1 }, (_, i) => ({
    edgeId: 500 + i,
    sequenceId: i * 2 + 1,
    startNodeId: 100 + i,
    endNodeId: 101 + i,
    maxSpeed: 1500,
    maxAngularSpeed: 0,
    movement: 'forward' as const,
    orientation: 0,
    trajectory: 'line' as const,
    controlPoints: [],
    actions: [],
  }));
  return { kind: 'motionCommand', orderId: 4711, orderUpdateId: 0, taskType: 'transport', nodes, edges, releasedNodeCount: released };
}

export const EXAMPLE_STATUS: MessageOfKind<'statusReport'> = {
  kind: 'statusReport', orderId: 4711, orderUpdateId: 0, pose: { x: 12500, y: 3000, theta: 0 }, localisationScore: 97,
  mapId: 1, navMode: 'laserSlam', vx: 1200, vy: 0, omega: 0, battery: 873, batteryVoltage: 4810, charging: false,
  loadState: 'empty', state: 'moving', operatingMode: 'automatic', lastNodeId: 108, lastNodeSequenceId: 16, currentEdgeId: 508,
  edgeProgress: 420, eStop: 'none', protectiveField: false,
  actuators: [{ type: 'lift', index: 0, state: 'idle', position: 0 }],
  actions: [{ actionId: 1, state: 'waiting' }],
  errors: [],
};

type Examples = { [K in MessageKind]: MessageOfKind<K> };

/** The enrolment secret behind the example accessRequest's proof (bytes 0x00 … 0x1f): a known-answer for §6. */
export const EXAMPLE_ENROLMENT_SECRET = Uint8Array.from({ length: 32 }, (_, i) => i);
const EXAMPLE_PROOF_TIME = 1764018000000;

export const EXAMPLE_MESSAGES: Examples = {
  accessRequest: {
    kind: 'accessRequest', agvId: 'AGV-017', mode: 'normal', versionMin: 0x10, versionMax: 0x11, vendor: 'Acme Robotics',
    proofTime: EXAMPLE_PROOF_TIME, proof: accessProof(enrolmentSecretKey(EXAMPLE_ENROLMENT_SECRET), 'AGV-017', EXAMPLE_PROOF_TIME),
  },
  accessResponse: { kind: 'accessResponse', result: 'accepted', version: 0x10, sessionId: 0x2a, serverTime: 1764018000000, detail: '' },
  keyExchangeInit: { kind: 'keyExchangeInit', ephemeralPublicKey: R_A, staticPublicKey: P_A, userId: ascii('1234567812345678') },
  keyExchangeReply: { kind: 'keyExchangeReply', ephemeralPublicKey: R_B, staticPublicKey: P_B, userId: ascii('1234567812345678'), confirmation: new Uint8Array(32).fill(0xb5) },
  keyExchangeConfirm: { kind: 'keyExchangeConfirm', confirmation: new Uint8Array(32).fill(0xa5) },
  heartbeat: { kind: 'heartbeat', role: 'ping', origin: 'agv', echoSeq: 0 },
  ack: { kind: 'ack', ackedSeq: 41, ackedType: 0x0301 },
  nack: { kind: 'nack', ackedSeq: 42, ackedType: 0x0301, errorCode: 'UNKNOWN_NODE', detail: 'node 9999 not on map 1' },
  registerRequest: {
    kind: 'registerRequest', vendor: 'Acme Robotics', model: 'LiftBot 600', serial: 'LB6-2024-00017', agvType: 'latentLifting', softwareVersion: '3.2.1',
    capabilities: {
      kinematics: 'differential', length: 1100, width: 800, height: 300, maxSpeed: 2000, maxAcceleration: 800, maxDeceleration: 1200,
      maxAngularSpeed: 1571, maxPayload: 600,
      actuators: [{ type: 'lift', index: 0, min: 0, max: 80 }, { type: 'rotate', index: 0, min: -3142, max: 3142 }],
      navigationTypes: ['laserSlam', 'qrCode'],
      maps: [{ mapId: 1, mapVersion: 7 }, { mapId: 2, mapVersion: 3 }],
    },
    mapHash: 0x5a17c0de,
  },
  registerAck: { kind: 'registerAck', result: 'accepted', detail: '', mapHash: 0x5a17c0de },
  paramQuery: { kind: 'paramQuery', queryId: 5, params: ['maxLinearSpeed', 'positionTolerance'] },
  paramReport: { kind: 'paramReport', queryId: 5, params: [{ param: 'maxLinearSpeed', value: 2000 }, { param: 'positionTolerance', value: 10 }] },
  paramSet: { kind: 'paramSet', requestId: 6, params: [{ param: 'maxLinearSpeed', value: 1500 }] },
  paramSetAck: { kind: 'paramSetAck', requestId: 6, results: [{ param: 'maxLinearSpeed', result: 'ok' }] },
  globalConfig: {
    kind: 'globalConfig', statusPeriod: 200, heartbeatPeriod: 1000, heartbeatTimeout: 5000, runningDataPeriod: 60000,
    batteryLow: 300, batteryCritical: 150, localisationScoreMin: 60, maxClockSkew: 30000,
  },
  globalConfigAck: { kind: 'globalConfigAck', result: 'ok' },
  statusReport: EXAMPLE_STATUS,
  runningData: {
    kind: 'runningData', requestId: 9, odometer: 18234, operatingTime: 3_600_000, drivingTime: 1_900_000, liftCycles: 40211, chargeCycles: 311,
    batteryHealth: 941, batteryTemperature: 287, diagnostics: [{ key: 1, value: 41 }],
    logs: [{ time: 1764017990000, level: 'warning', text: 'wheel slip detected on edge 507' }],
  },
  alarmReport: { kind: 'alarmReport', alarmId: 77, code: 3105, severity: 'warning', transition: 'raised', nodeId: 108, text: 'battery temperature high' },
  runningDataRequest: { kind: 'runningDataRequest', requestId: 9, items: ['odometry', 'counters', 'logs'], logsSince: 1764010000000, maxLogLines: 100 },
  motionCommand: exampleMotionCommand(3, 2),
  motionControl: { kind: 'motionControl', command: 'pause', orderId: 4711 },
  actuatorCommand: {
    kind: 'actuatorCommand',
    action: { actionId: 900, actuator: 'rotate', actuatorIndex: 0, liftAdjust: 'none', blocking: true, params: [{ param: 'angle', value: 1571 }, { param: 'angularSpeed', value: 500 }] },
  },
  chargingCommand: { kind: 'chargingCommand', action: 'start', chargerId: 300, targetLevel: 950 },
  navModeSwitch: { kind: 'navModeSwitch', requestId: 12, targetMode: 'qrCode', switchNodeId: 210 },
  navModeSwitchResult: { kind: 'navModeSwitchResult', requestId: 12, result: 'success', currentMode: 'qrCode', detail: '' },
  mapSwitch: { kind: 'mapSwitch', requestId: 13, targetMapId: 2, switchNodeId: 400, initialPose: { x: 500, y: 500, theta: 1571 } },
  mapSwitchResult: { kind: 'mapSwitchResult', requestId: 13, result: 'success', currentMapId: 2, localisationScore: 92, detail: '' },
  spaceRequest: {
    kind: 'spaceRequest', requestId: 21, reason: 'obstacleDetour', restriction: 'exclusive', mapId: 1,
    polygon: [{ x: 9000, y: 2000 }, { x: 12000, y: 2000 }, { x: 12000, y: 4500 }, { x: 9000, y: 4500 }],
    nodeIds: [], start: 0, duration: 20000,
    trajectory: { points: [{ pose: { x: 9000, y: 3000, theta: 0 }, offset: 0 }, { pose: { x: 10500, y: 4000, theta: 0 }, offset: 3000 }, { pose: { x: 12000, y: 3000, theta: 0 }, offset: 6000 }] },
  },
  spaceResponse: { kind: 'spaceResponse', requestId: 21, decision: 'granted', leaseId: 3001, lease: 20000, queuePosition: 0, detail: '', refusal: 'none', onLeaseLoss: 'stop' },
  spaceRelease: { kind: 'spaceRelease', leaseId: 3001 },
  spaceRenew: { kind: 'spaceRenew', leaseId: 3001 },
  spaceLeaseEnd: { kind: 'spaceLeaseEnd', leaseId: 3001, reason: 'revoked', detail: 'emergency-stop zone' },
  blockageReport: {
    kind: 'blockageReport', reportId: 5, mapId: 1, nodeIds: [], edges: [{ from: 210, to: 211 }],
    polygon: [{ x: 10200, y: 1800 }, { x: 10800, y: 1800 }, { x: 10800, y: 2300 }, { x: 10200, y: 2300 }], detail: 'pallet on the aisle',
  },
  vendorData: { kind: 'vendorData', vendor: 'Acme Robotics', key: 1, data: Uint8Array.of(1, 2, 3, 4) },
};
