// The JSON topic contract between the platform and a lift/door gateway over MQTT (docs/lifts-and-doors.md). Every
// message a peer sends is parsed here into a typed value or a clear error, so a gateway that sends something
// malformed is told what and is never trusted with half a message.

import { DOOR_POSITIONS, LIFT_MODES, LIFT_MOTIONS, type CommandReply, type DoorState, type LiftState } from './types.ts';

export const liftTopics = (prefix: string, liftId: string) => topicsOf(`${prefix}/lifts/${liftId}`);
export const doorTopics = (prefix: string, doorId: string) => topicsOf(`${prefix}/doors/${doorId}`);

function topicsOf(base: string) {
  return { state: `${base}/state`, command: `${base}/command`, reply: `${base}/reply` };
}

export type LiftCommand =
  | { requestId: string; command: 'call'; sessionId: string; floor: string }
  | { requestId: string; command: 'release'; sessionId: string };
export type DoorCommand = { requestId: string; command: 'open' | 'close' };
export type Reply = CommandReply & { requestId: string };

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };
type Obj = Record<string, unknown>;

function parseObject(payload: Buffer | string): Parsed<Obj> {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString());
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'not a JSON object' };
  return { ok: true, value: value as Obj };
}

/** Field readers that collect the first problem, naming the field. */
class Fields {
  error: string | null = null;
  constructor(private readonly o: Obj) {}

  text(name: string): string {
    const v = this.o[name];
    if (typeof v === 'string' && v.length > 0 && v.length <= 128) return v;
    this.fail(`${name}: expected a string of 1–128 characters`);
    return '';
  }

  textOrNull(name: string): string | null {
    return this.o[name] === null || this.o[name] === undefined ? null : this.text(name);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const v = this.o[name];
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    this.fail(`${name}: expected one of ${allowed.join(', ')}`);
    return allowed[0]!;
  }

  bool(name: string): boolean {
    const v = this.o[name];
    if (typeof v === 'boolean') return v;
    this.fail(`${name}: expected true or false`);
    return false;
  }

  private fail(message: string): void {
    this.error ??= message;
  }
}

function parseWith<T>(payload: Buffer | string, read: (f: Fields) => T): Parsed<T> {
  const o = parseObject(payload);
  if (!o.ok) return o;
  const f = new Fields(o.value);
  const value = read(f);
  return f.error ? { ok: false, error: f.error } : { ok: true, value };
}

export function parseLiftState(payload: Buffer | string): Parsed<LiftState> {
  return parseWith(payload, (f) => ({
    liftId: f.text('liftId'),
    floor: f.text('floor'),
    door: f.oneOf('door', DOOR_POSITIONS),
    motion: f.oneOf('motion', LIFT_MOTIONS),
    mode: f.oneOf('mode', LIFT_MODES),
    sessionId: f.textOrNull('sessionId'),
    fault: f.textOrNull('fault'),
  }));
}

export function parseDoorState(payload: Buffer | string): Parsed<DoorState> {
  return parseWith(payload, (f) => ({ doorId: f.text('doorId'), position: f.oneOf('position', DOOR_POSITIONS), fault: f.textOrNull('fault') }));
}

export function parseLiftCommand(payload: Buffer | string): Parsed<LiftCommand> {
  return parseWith(payload, (f): LiftCommand => {
    const requestId = f.text('requestId');
    const command = f.oneOf('command', ['call', 'release'] as const);
    const sessionId = f.text('sessionId');
    return command === 'call' ? { requestId, command, sessionId, floor: f.text('floor') } : { requestId, command, sessionId };
  });
}

export function parseDoorCommand(payload: Buffer | string): Parsed<DoorCommand> {
  return parseWith(payload, (f) => ({ requestId: f.text('requestId'), command: f.oneOf('command', ['open', 'close'] as const) }));
}

export function parseReply(payload: Buffer | string): Parsed<Reply> {
  return parseWith(payload, (f): Reply => {
    const requestId = f.text('requestId');
    return f.bool('accepted') ? { requestId, accepted: true } : { requestId, accepted: false, reason: f.text('reason') };
  });
}
