import { systemClock } from '../../core/index.ts';
import { encodeFrame, FrameDecoder, type Message } from '../../protocol/index.ts';
import { AgvClient } from '../../agv/sdk/client.ts';
import { SimAgv, VENDOR_PROFILES } from '../../agv/sim/index.ts';
import type { ClientState, RegistrationFields, StatusFields } from '../../agv/sdk/types.ts';
import { connectTcp, type FrameChannel } from '../../agv/transport/index.ts';
import { FrameLog } from '../frame-log.ts';

// The AGV side of the kit: an AgvClient from the project's SDK (access, registration, config, status, heartbeats,
// reconnection) whose TCP channel the kit also reads and writes directly, to see every frame the platform sends and
// to inject frames of its own. By default it plays a standing, idle vehicle with a plausible capability sheet; given
// a start node of the platform's site it plays a driving one (the SDK's AgvController over a simulated body), so a
// platform can send it work.

export interface AgvSideOptions {
  host: string;
  port: number;
  agvId: string;
  /** Map the kit's AGV says it holds and stands on. */
  mapId: number;
  /** Node asked for in the space request. */
  spaceNodeId: number;
  /** The AGV's SM2 private key (its public key must be enrolled on the platform for secureAgvId). */
  key?: Uint8Array;
  /** The platform's SM2 public key, pinned by the AGV. */
  platformKey?: Uint8Array;
  secureAgvId: string;
  connectTimeoutMs: number;
  /** Site node (wire number, position in mm) the kit's AGV stands at; without it the AGV stands at no node. */
  startNode?: { nodeId: number; x: number; y: number };
  /** How long the orders scenario waits for the platform to send work. */
  orderWaitMs: number;
  /** Longest wait for the kit's AGV to drive an order's released nodes. */
  moveTimeoutMs: number;
}

export function kitRegistration(serial: string, mapId: number): RegistrationFields {
  return {
    vendor: 'UniFleet conformance kit',
    model: 'virtual',
    serial,
    agvType: 'latentLifting',
    softwareVersion: '1.0',
    capabilities: {
      kinematics: 'differential',
      length: 900,
      width: 600,
      height: 300,
      maxSpeed: 1500,
      maxAcceleration: 800,
      maxDeceleration: 800,
      maxAngularSpeed: 1000,
      maxPayload: 500,
      actuators: [{ type: 'lift', index: 0, min: 0, max: 60 }],
      navigationTypes: ['laserSlam'],
      maps: [{ mapId, mapVersion: 1 }],
    },
  };
}

export function idleStatus(mapId: number): StatusFields {
  return {
    orderId: 0, orderUpdateId: 0, pose: { x: 0, y: 0, theta: 0 }, localisationScore: 95, mapId, navMode: 'laserSlam',
    vx: 0, vy: 0, omega: 0, battery: 800, batteryVoltage: 48_000, charging: false, loadState: 'empty', state: 'idle',
    operatingMode: 'automatic', lastNodeId: 0, lastNodeSequenceId: 0, currentEdgeId: 0, edgeProgress: 0, eStop: 'none',
    protectiveField: false, actuators: [{ type: 'lift', index: 0, state: 'idle', position: 0 }], actions: [], errors: [],
  };
}

/** Seq numbers of the frames the kit injects, far from those the SDK uses. */
const INJECTED_SEQ_BASE = 0x7f00_0000;

export class AgvSide {
  readonly log = new FrameLog();
  readonly client: AgvClient;
  /** The driving vehicle, when the kit was given a start node. */
  readonly vehicle: SimAgv | undefined;
  readonly refusals: string[] = [];
  channel: FrameChannel | undefined;
  connections = 0;
  /** Nodes the driving vehicle reached, in order. */
  readonly reached: number[] = [];
  private injected = 0;

  constructor(readonly options: AgvSideOptions) {
    const start = options.startNode;
    this.vehicle = start && new SimAgv({
      id: options.agvId,
      profile: VENDOR_PROFILES[0]!,
      serial: `KIT-${options.agvId}`,
      start: { nodeNumber: start.nodeId, x: start.x / 1000, y: start.y / 1000 },
      mapNumber: options.mapId,
      clock: systemClock,
      connect: () => this.connect(),
      batteryPct: 90,
      selfTickMs: 50,
    });
    this.client = this.vehicle?.client ?? new AgvClient({
      agvId: options.agvId,
      connect: () => this.connect(),
      registration: kitRegistration(`KIT-${options.agvId}`, options.mapId),
      status: () => idleStatus(options.mapId),
      initialBackoffMs: 500,
    }, systemClock);
    this.client.on('refused', (stage, reason) => this.refusals.push(`${stage}: ${reason}`));
    this.vehicle?.controller.on('nodeReached', (nodeId) => this.reached.push(nodeId));
  }

  start(): void {
    if (this.vehicle) this.vehicle.start();
    else this.client.start();
  }

  stop(): void {
    if (this.vehicle) this.vehicle.stop();
    else this.client.stop();
  }

  /** Resolves true once the client reaches `state`, false on timeout. */
  waitForState(state: ClientState, timeoutMs: number, client: AgvClient = this.client): Promise<boolean> {
    if (client.state === state) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      client.on('state', (s) => {
        if (s !== state) return;
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Sends raw bytes on the live connection. */
  sendRaw(bytes: Uint8Array): boolean {
    return this.channel?.send(bytes) ?? false;
  }

  /** Sends a frame of the kit's own, outside the SDK; returns its seq. */
  inject(message: Message): number {
    const seq = INJECTED_SEQ_BASE + ++this.injected;
    if (!this.sendRaw(encodeFrame(message, { seq, timestamp: Date.now() }))) throw new Error('the platform connection is closed');
    return seq;
  }

  private async connect(): Promise<FrameChannel> {
    const channel = await connectTcp(this.options.host, this.options.port);
    const decoder = new FrameDecoder();
    channel.onData((chunk) => {
      for (const event of decoder.push(chunk)) {
        if (event.ok) this.log.push(event.frame);
        else this.log.pushError(event.error);
      }
    });
    this.channel = channel;
    this.connections++;
    return channel;
  }
}
