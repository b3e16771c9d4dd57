import type { MessageOfKind, ProtocolErrorCode } from '../../protocol/index.ts';
import type { FrameChannel } from '../transport/channel.ts';
import type { MqttLinkOptions } from '../transport/mqtt.ts';

// The SDK's public types: what a vendor fills in and what its handlers receive. All values are in protocol units
// (mm, mrad, mm/s, 0.1 %, ms).

export type Without<T, K extends keyof T> = Omit<T, K>;

export type StatusFields = Without<MessageOfKind<'statusReport'>, 'kind'>;
export type RegistrationFields = Without<MessageOfKind<'registerRequest'>, 'kind'>;
export type GlobalConfig = Without<MessageOfKind<'globalConfig'>, 'kind'>;

export type MotionCommand = MessageOfKind<'motionCommand'>;
export type MotionControl = MessageOfKind<'motionControl'>;
export type ActuatorCommand = MessageOfKind<'actuatorCommand'>;
export type ChargingCommand = MessageOfKind<'chargingCommand'>;
export type MapSwitch = MessageOfKind<'mapSwitch'>;
export type NavModeSwitch = MessageOfKind<'navModeSwitch'>;
export type ParamQuery = MessageOfKind<'paramQuery'>;
export type ParamSet = MessageOfKind<'paramSet'>;
export type RunningDataRequest = MessageOfKind<'runningDataRequest'>;
/** A basic parameter and its value in the parameter's unit (ParamId). */
export type ParamValue = ParamSet['params'][number];
/** One entry of a paramSetAck: the AGV's verdict on one parameter. */
export type ParamResult = MessageOfKind<'paramSetAck'>['results'][number];
/** What runningData carries besides the request id it answers. */
export type RunningDataFields = Without<MessageOfKind<'runningData'>, 'kind' | 'requestId'>;
export type SpaceRequest = Without<MessageOfKind<'spaceRequest'>, 'kind'>;
export type SpaceResponse = MessageOfKind<'spaceResponse'>;
export type SpaceLeaseEnd = MessageOfKind<'spaceLeaseEnd'>;
export type BlockageFields = Without<MessageOfKind<'blockageReport'>, 'kind'>;
export type AlarmFields = Without<MessageOfKind<'alarmReport'>, 'kind'>;

/** What a command handler returns: nothing / ok acks the command, a refusal nacks it with a protocol error code. */
export type CommandResult = void | { ok: true } | { ok: false; code: ProtocolErrorCode; detail?: string };

export type Handler<C, R = CommandResult> = (command: C) => R | Promise<R>;

export type ClientState = 'idle' | 'connecting' | 'accessing' | 'keyExchange' | 'registering' | 'configuring' | 'active' | 'stopped';

export interface SecureCredentials {
  /** The AGV's long-term SM2 key pair (uncompressed public key, 65 bytes; private key, 32 bytes). */
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  /** The platform's public key, provisioned with its address; the AGV accepts no other platform. */
  platformPublicKey: Uint8Array;
}

/** One platform instance's AGV protocol address. */
export interface PlatformEndpoint {
  host: string;
  port: number;
}

export interface AgvClientOptions {
  agvId: string;
  /**
   * How the AGV reaches the platform: 'tcp' (default; host and port) or 'mqtt' (through a broker; `mqtt` says which
   * and for which site). Or give `connect` for another transport.
   */
  transport?: 'tcp' | 'mqtt';
  /** Where the platform listens (tcp). */
  host?: string;
  port?: number;
  /**
   * The site's platform instances in failover order (instead of host/port), for a site run by a leader and warm
   * standbys without a shared address: each connection attempt tries them in turn, starting with the one that
   * answered last, so the AGV follows the leader (a standby refuses connections). Backoff applies once all refused.
   */
  endpoints?: readonly PlatformEndpoint[];
  /** The broker and site (mqtt); the AGV id is the client's own. Needs the `mqtt` package installed. */
  mqtt?: Omit<MqttLinkOptions, 'agvId'>;
  connect?: () => Promise<FrameChannel>;
  registration: RegistrationFields;
  /** Called whenever a status report is due; return the AGV's current state. */
  status: () => StatusFields;
  mode?: 'normal' | 'secure';
  /**
   * Highest protocol version offered at access (default: the SDK's). Firmware certified against an older minor pins
   * it here; the platform then speaks that version (e.g. 0x11: no lease renewals, no blockage reports).
   */
  protocolVersionMax?: number;
  /**
   * mapHash of the site export loaded on the AGV (GET /api/v1/site/export). Sent at registration (protocol 1.1);
   * a platform with another map refuses the AGV with staleMap instead of sending it numbers it would misread.
   */
  mapHash?: number;
  secure?: SecureCredentials;
  /**
   * Normal mode: the enrolment secret (64 hex characters) from POST /api/v1/agvs/{id}/enrol-secret. The client proves
   * it at every access (protocol 1.1, §6 "Enrolment secret"); the AGV's clock must be within 30 s of the platform's.
   */
  enrolmentSecret?: string;
  /**
   * First reconnect delay; doubles up to maxBackoffMs, with ±20 % jitter. After accessResponse(busy) the platform's
   * retry hint replaces it for that one reconnect (hint × 1–1.5, at random).
   */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Used until the platform's globalConfig arrives. */
  defaultStatusPeriodMs?: number;
  defaultHeartbeatPeriodMs?: number;
  defaultHeartbeatTimeoutMs?: number;
}
