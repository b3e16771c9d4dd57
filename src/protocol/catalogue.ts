// The message catalogue: every message definition, its compiled codec, and the Message union type.
import * as channel from './messages/channel.ts';
import * as motion from './messages/motion.ts';
import * as registration from './messages/registration.ts';
import * as space from './messages/space.ts';
import * as status from './messages/status.ts';
import { OPTIONAL_TYPE_BIT, type MessageDef, type MessageOf } from './messages/define.ts';
import { compileDecoder, compileEncoder, type DecodeFn, type EncodeFn } from './schema/compile.ts';

export const MESSAGE_DEFS = [
  channel.accessRequest, channel.accessResponse, channel.keyExchangeInit, channel.keyExchangeReply, channel.keyExchangeConfirm,
  channel.heartbeat, channel.ack, channel.nack,
  registration.registerRequest, registration.registerAck, registration.paramQuery, registration.paramReport,
  registration.paramSet, registration.paramSetAck, registration.globalConfig, registration.globalConfigAck,
  status.statusReport, status.runningData, status.alarmReport, status.runningDataRequest,
  motion.motionCommand, motion.motionControl, motion.actuatorCommand, motion.chargingCommand,
  motion.navModeSwitch, motion.navModeSwitchResult, motion.mapSwitch, motion.mapSwitchResult,
  space.spaceRequest, space.spaceResponse, space.spaceRelease, space.spaceRenew, space.spaceLeaseEnd, space.blockageReport,
  channel.vendorData,
] as const;

/** Any protocol message: a discriminated union on `kind`. */
export type Message = MessageOf<(typeof MESSAGE_DEFS)[number]>;
export type MessageKind = Message['kind'];
export type MessageOfKind<K extends MessageKind> = Extract<Message, { kind: K }>;

type TypeCodes = { readonly [D in (typeof MESSAGE_DEFS)[number] as D['kind']]: number };

/** Numeric wire type per message kind, e.g. MsgType.statusReport === 0x0201. */
export const MsgType = Object.freeze(Object.fromEntries(MESSAGE_DEFS.map((d) => [d.kind, d.type]))) as TypeCodes;

export interface MessageCodec {
  readonly def: MessageDef;
  readonly encode: EncodeFn<Message>;
  readonly decode: DecodeFn<Message>;
}

const byKind = new Map<string, MessageCodec>();
const byType = new Map<number, MessageCodec>();
for (const def of MESSAGE_DEFS as readonly MessageDef[]) {
  if (byType.has(def.type)) throw new Error(`duplicate message type 0x${def.type.toString(16)}`);
  const codec: MessageCodec = {
    def,
    encode: compileEncoder<Message>(def.schema),
    decode: compileDecoder<Message>(def.schema, { kind: def.kind }),
  };
  byKind.set(def.kind, codec);
  byType.set(def.type, codec);
}

export function codecForKind(kind: string): MessageCodec | undefined {
  return byKind.get(kind);
}
export function codecForType(type: number): MessageCodec | undefined {
  return byType.get(type);
}
/** Optional types may be skipped by a peer that does not know them (see versioning rules). */
export function isOptionalType(type: number): boolean {
  return (type & OPTIONAL_TYPE_BIT) !== 0;
}
