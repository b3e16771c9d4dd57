import type { Clock } from '../../core/index.ts';
import type { AgvClient } from '../sdk/client.ts';
import { AgvController } from '../sdk/controller.ts';
import type { FrameChannel } from '../transport/channel.ts';
import type { AgvClientOptions, PlatformEndpoint, RegistrationFields, SecureCredentials } from '../sdk/types.ts';
import type { VendorProfile } from './profiles.ts';
import type { SpaceOutcome } from '../sdk/space-mover.ts';
import { planDetour } from './detour.ts';
import { SimulatedMotionAdapter, type SimSurroundings } from './sim-adapter.ts';
import { VirtualAgv } from './virtual-agv.ts';

// A simulated AGV runs the same code as a vendor's: the SDK's AgvController (a real protocol client over a real
// socket, order stitching, action states, status reports) over a vendor adapter — here the simulated-motion
// adapter around a VirtualAgv body.

export interface SimAgvOptions {
  id: string;
  profile: VendorProfile;
  serial: string;
  /** Start node: its wire number and position in metres. */
  start: { nodeNumber: number; x: number; y: number };
  mapNumber: number;
  clock: Clock;
  host?: string;
  port?: number;
  /** The site's platform instances in failover order (instead of host/port). */
  endpoints?: readonly PlatformEndpoint[];
  /** 'mqtt': through the broker `mqtt` names (SDK client options). */
  transport?: AgvClientOptions['transport'];
  mqtt?: AgvClientOptions['mqtt'];
  connect?: () => Promise<FrameChannel>;
  mode?: 'normal' | 'secure';
  secure?: SecureCredentials;
  /** Normal mode: the enrolment secret (hex) the AGV proves at access. */
  enrolmentSecret?: string;
  batteryPct?: number;
  /** Move the body on its own timer (a lone AGV); a Simulator drives all its AGVs from one timer instead. */
  selfTickMs?: number;
  /** Obstacles around it and node positions (wire numbers as strings); without it the AGV meets no obstacles. */
  world?: SimSurroundings & { position(node: string): { x: number; y: number } | undefined };
  /** Sideways offset (m) of a detour around an obstacle (default 1 m). */
  detourOffsetM?: number;
}

/** What a simulated AGV did about an obstacle it met. */
export type ObstacleOutcome = { at: string; next: string } & ({ action: 'detour'; space: SpaceOutcome } | { action: 'reroute'; refusal: string; reported: boolean });

export class SimAgv {
  readonly body: VirtualAgv;
  readonly controller: AgvController;
  private readonly adapter: SimulatedMotionAdapter;
  private cancelTick: (() => void) | undefined;
  /** Dealing with an obstacle (asking for space, driving the detour, reporting the blockage). */
  private meeting: Promise<void> | undefined;
  /** The blocked step last dealt with: met again before the route changes, it is left to the platform's re-route. */
  private handledStep: string | undefined;
  private seenBlocked: string | undefined;
  private readonly obstacleListeners: ((outcome: ObstacleOutcome) => void)[] = [];

  constructor(private readonly o: SimAgvOptions) {
    this.body = new VirtualAgv(o.id, o.profile, { nodeId: String(o.start.nodeNumber), x: o.start.x, y: o.start.y }, o.clock.now(), o.batteryPct ?? 60 + Math.random() * 40);
    this.adapter = new SimulatedMotionAdapter(this.body, o.clock, o.world);
    this.controller = new AgvController(
      {
        agvId: o.id,
        host: o.host,
        port: o.port,
        endpoints: o.endpoints,
        transport: o.transport,
        mqtt: o.mqtt,
        connect: o.connect,
        mode: o.secure ? 'secure' : (o.mode ?? 'normal'),
        secure: o.secure,
        enrolmentSecret: o.enrolmentSecret,
        registration: this.registration(),
        adapter: this.adapter,
        mapId: o.mapNumber,
        navMode: o.profile.navigation === 'qr' ? 'qrCode' : 'laserSlam',
        startNodeId: o.start.nodeNumber,
        localisationScore: () => 95,
        initialBackoffMs: 200,
        maxBackoffMs: 5_000,
      },
      o.clock,
    );
  }

  get client(): AgvClient {
    return this.controller.client;
  }

  start(): void {
    this.controller.start();
    const period = this.o.selfTickMs;
    if (period !== undefined) {
      const tick = () => {
        this.update(this.o.clock.now());
        this.cancelTick = this.o.clock.setTimeout(tick, period);
      };
      this.cancelTick = this.o.clock.setTimeout(tick, period);
    }
  }

  stop(): void {
    this.cancelTick?.();
    this.cancelTick = undefined;
    this.controller.stop();
  }

  /** Advances the body to now; the controller reports nodes reached and state changes at once. */
  update(now: number): void {
    this.adapter.update(now);
    this.controller.vehicleChanged();
    const blocked = this.adapter.blockedStep;
    const key = blocked ? `${blocked.at}>${blocked.next}` : undefined;
    if (key === undefined) this.handledStep = undefined;
    if (blocked && key !== this.handledStep && !this.meeting && !this.body.moving && this.body.motion.lastNodeId === blocked.at) {
      // Seen standing there one tick before it acts: the status report of reaching the node goes out first, so the
      // platform knows where it stands when the request comes.
      if (this.seenBlocked !== key) {
        this.seenBlocked = key;
        return;
      }
      this.handledStep = key;
      this.meeting = this.meetObstacle(blocked).finally(() => {
        this.meeting = undefined;
      });
    }
  }

  /** Tells the listener what the AGV did about each obstacle it met (tests, the space benchmark). */
  onObstacle(listener: (outcome: ObstacleOutcome) => void): this {
    this.obstacleListeners.push(listener);
    return this;
  }

  /**
   * Standing before an obstacle: ask for space beside it and drive round it on its own; refused, report the way
   * blocked so that the platform re-routes it. Queued asks wait for their turn (the SDK does that).
   */
  private async meetObstacle(step: { at: string; next: string }): Promise<void> {
    const world = this.o.world!;
    const a = world.position(step.at);
    const b = world.position(step.next);
    if (!a || !b) return;
    const radius = Math.max(this.o.profile.lengthM, this.o.profile.widthM) / 2;
    const plan = planDetour(a, b, radius, this.o.detourOffsetM ?? 1);
    const mm = (p: { x: number; y: number }) => ({ x: Math.round(p.x * 1000), y: Math.round(p.y * 1000) });
    const space = await this.controller.moveInSpace(
      { reason: 'obstacleDetour', restriction: 'exclusive', mapId: this.o.mapNumber, polygon: plan.polygon.map(mm), nodeIds: [], start: 0, duration: 60_000 },
      { poses: plan.poses.map((p) => ({ ...mm(p), theta: 0 })), endNodeId: Number(step.next) },
    );
    if (space.result !== 'refused') {
      this.tell({ ...step, action: 'detour', space });
      return;
    }
    const outcome = await this.controller.reportBlockage({ reportId: Number(step.at), nodeIds: [], edges: [{ from: Number(step.at), to: Number(step.next) }], polygon: [], detail: `obstacle between nodes ${step.at} and ${step.next}` });
    // The platform re-routes it: the route it held beyond the obstacle is replaced by the next order.
    this.tell({ ...step, action: 'reroute', refusal: space.refusal, reported: outcome.ok });
  }

  private tell(outcome: ObstacleOutcome): void {
    for (const l of this.obstacleListeners) l(outcome);
  }

  private registration(): RegistrationFields {
    const p = this.o.profile;
    return {
      vendor: p.vendor,
      model: p.model,
      serial: this.o.serial,
      agvType: p.agvType === 'latent-lifting' ? 'latentLifting' : p.agvType,
      softwareVersion: p.softwareVersion,
      capabilities: {
        kinematics: p.agvType === 'forklift' ? 'singleSteer' : 'differential',
        length: Math.round(p.lengthM * 1000),
        width: Math.round(p.widthM * 1000),
        height: 400,
        maxSpeed: Math.round(p.maxSpeedMps * 1000),
        maxAcceleration: Math.round(p.accelMps2 * 1000),
        maxDeceleration: Math.round(p.accelMps2 * 1000),
        maxAngularSpeed: 1000,
        maxPayload: p.maxLoadKg,
        actuators: [{ type: p.actuator, index: 0, min: 0, max: p.actuator === 'lift' ? 60 : 1500 }],
        navigationTypes: [p.navigation, ...(p.alsoNavigates ?? [])].map((n) => (n === 'qr' ? 'qrCode' : 'laserSlam')),
        maps: [{ mapId: this.o.mapNumber, mapVersion: 1 }],
      },
    };
  }
}
