import type { Clock } from '../../core/index.ts';
import { SPECIAL } from '../../protocol/index.ts';
import { AgvClient } from '../sdk/client.ts';
import type { FrameChannel } from '../transport/channel.ts';
import type { CommandResult, MotionCommand, RegistrationFields, SecureCredentials, StatusFields } from '../sdk/types.ts';
import type { VendorProfile } from './profiles.ts';
import { VirtualAgv, type FinishedAction } from './virtual-agv.ts';
import type { PathPoint } from './motion.ts';

// A simulated AGV = the SDK (a real protocol client over a real socket) + a VirtualAgv body. It obeys commands
// exactly as a vendor's firmware would: drives only released nodes, reports status periodically and at once on
// every node reached or state change.

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
  connect?: () => Promise<FrameChannel>;
  mode?: 'normal' | 'secure';
  secure?: SecureCredentials;
  batteryPct?: number;
  /** Move the body on its own timer (a lone AGV); a Simulator drives all its AGVs from one timer instead. */
  selfTickMs?: number;
}

export class SimAgv {
  readonly body: VirtualAgv;
  readonly client: AgvClient;
  private reportedFinished: FinishedAction[] = [];
  private lastState: string;

  constructor(private readonly o: SimAgvOptions) {
    this.body = new VirtualAgv(o.id, o.profile, { nodeId: String(o.start.nodeNumber), x: o.start.x, y: o.start.y }, o.clock.now(), o.batteryPct ?? 60 + Math.random() * 40);
    this.lastState = this.body.state;
    this.client = new AgvClient(
      {
        agvId: o.id,
        host: o.host,
        port: o.port,
        connect: o.connect,
        mode: o.secure ? 'secure' : (o.mode ?? 'normal'),
        secure: o.secure,
        registration: this.registration(),
        status: () => this.status(),
        initialBackoffMs: 200,
        maxBackoffMs: 5_000,
      },
      o.clock,
    );
    this.client
      .onMotion((cmd) => this.onMotion(cmd))
      .onControl((cmd) => {
        switch (cmd.command) {
          case 'pause':
            this.body.paused = true;
            break;
          case 'resume':
            this.body.paused = false;
            break;
          case 'cancel':
            this.body.cancelOrder();
            break;
          case 'emergencyStop':
            this.body.faults.emergencyStop = true;
            break;
          case 'releaseEmergencyStop':
            this.body.faults.emergencyStop = false;
            break;
        }
        this.client.reportStatus();
      })
      .onActuator((cmd) => {
        const direction = cmd.action.params.find((p) => p.param === 'direction')?.value;
        const pick = cmd.action.liftAdjust === 'toTop' || (cmd.action.liftAdjust === 'none' && (direction ?? 1) > 0);
        if (!this.body.startAction(cmd.action.actionId, pick ? 'pick' : 'drop', this.o.clock.now())) {
          return { ok: false, code: 'BUSY', detail: 'moving or another action is running' };
        }
        this.client.reportStatus();
      })
      .onCharging((cmd) => {
        this.body.setCharging(cmd.action === 'start');
        this.client.reportStatus();
      });
  }

  private cancelTick: (() => void) | undefined;

  start(): void {
    this.client.start();
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
    this.client.stop();
  }

  /** Advances the body to now; reports at once when a node was reached or the state changed. */
  update(now: number): void {
    const reached = this.body.update(now);
    const state = this.body.state;
    if (reached.length > 0 || state !== this.lastState) {
      this.lastState = state;
      this.client.reportStatus();
    }
  }

  private onMotion(cmd: MotionCommand): CommandResult {
    if (this.body.faults.emergencyStop) return { ok: false, code: 'INVALID_STATE', detail: 'emergency stop active' };
    const released: PathPoint[] = cmd.nodes.slice(0, cmd.releasedNodeCount).map((n, i) => {
      const edge = i > 0 ? cmd.edges[i - 1] : undefined;
      return {
        id: String(n.nodeId),
        x: n.pose.x / 1000,
        y: n.pose.y / 1000,
        maxSpeed: edge && edge.maxSpeed !== SPECIAL.NO_SPEED_LIMIT ? edge.maxSpeed / 1000 : undefined,
      };
    });
    if (!this.body.acceptOrder(cmd.orderId, cmd.orderUpdateId, released)) {
      return { ok: false, code: 'ORDER_UPDATE_REJECTED', detail: 'update does not start at the last released node' };
    }
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
        navigationTypes: [p.navigation === 'qr' ? 'qrCode' : 'laserSlam'],
        maps: [{ mapId: this.o.mapNumber, mapVersion: 1 }],
      },
    };
  }

  private status(): StatusFields {
    const b = this.body;
    const m = b.motion;
    const finished = b.takeFinishedActions();
    this.reportedFinished = finished;
    const actions: StatusFields['actions'] = [
      ...(b.action ? [{ actionId: b.action.actionId, state: 'running' as const }] : []),
      ...this.reportedFinished.map((f) => ({ actionId: f.actionId, state: f.ok ? ('finished' as const) : ('failed' as const) })),
    ];
    const errors: StatusFields['errors'] = [];
    if (b.faults.stalled) errors.push({ code: 2001, severity: 'error' });
    if (b.battery <= 0) errors.push({ code: 3001, severity: 'fatal' });
    else if (b.battery < 10) errors.push({ code: 3002, severity: 'warning' });
    const node = Number(m.lastNodeId);
    return {
      orderId: b.orderId,
      orderUpdateId: b.orderUpdateId,
      pose: { x: Math.round(m.x * 1000), y: Math.round(m.y * 1000), theta: Math.max(-3142, Math.min(3142, Math.round(m.theta * 1000))) },
      localisationScore: 95,
      mapId: this.o.mapNumber,
      navMode: this.o.profile.navigation === 'qr' ? 'qrCode' : 'laserSlam',
      vx: Math.round(m.speed * 1000),
      vy: 0,
      omega: 0,
      battery: Math.round(b.battery * 10),
      batteryVoltage: 4800,
      charging: b.charging,
      loadState: b.loaded ? 'loaded' : 'empty',
      state: b.state,
      operatingMode: 'automatic',
      lastNodeId: Number.isInteger(node) ? node : 0,
      lastNodeSequenceId: 0,
      currentEdgeId: 0,
      edgeProgress: 0,
      eStop: b.faults.emergencyStop ? 'remote' : 'none',
      protectiveField: false,
      actuators: [{ type: this.o.profile.actuator, index: 0, state: b.action ? 'running' : 'idle', position: b.loaded ? 50 : 0 }],
      actions,
      errors,
    };
  }
}
