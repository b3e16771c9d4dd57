import type { Clock } from '../../core/index.ts';
import type { AgvClient } from '../sdk/client.ts';
import { AgvController } from '../sdk/controller.ts';
import type { FrameChannel } from '../transport/channel.ts';
import type { AgvClientOptions, PlatformEndpoint, RegistrationFields, SecureCredentials } from '../sdk/types.ts';
import type { VendorProfile } from './profiles.ts';
import { SimulatedMotionAdapter } from './sim-adapter.ts';
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
}

export class SimAgv {
  readonly body: VirtualAgv;
  readonly controller: AgvController;
  private readonly adapter: SimulatedMotionAdapter;
  private cancelTick: (() => void) | undefined;

  constructor(private readonly o: SimAgvOptions) {
    this.body = new VirtualAgv(o.id, o.profile, { nodeId: String(o.start.nodeNumber), x: o.start.x, y: o.start.y }, o.clock.now(), o.batteryPct ?? 60 + Math.random() * 40);
    this.adapter = new SimulatedMotionAdapter(this.body, o.clock);
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
}
