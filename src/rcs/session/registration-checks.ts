import type { MessageOfKind } from '../../protocol/index.ts';

// What an AGV claims at registration must make physical sense before the platform plans with it: traffic sizes
// the AGV by its body and times its moves by its speeds, and the identity strings end up in logs, the API and the
// metrics. A value outside these ranges is a vendor mistake (a unit slip, an unset field) or a hostile client; it
// is refused with `rejectedCapabilities` and the reason, never clamped, because any guess could be unsafe.
// The body size is checked where it is converted (footprintFromCapabilities).

type RegisterRequest = MessageOfKind<'registerRequest'>;

/** Linear speed (mm/s): above 0 (an AGV that cannot move) and at most 5 m/s (no indoor AGV drives faster). */
export const SPEED_MM_S = { min: 1, max: 5_000 } as const;
/** Angular speed (mrad/s): above 0 and at most 2 turns per second. */
export const ANGULAR_SPEED_MRAD_S = { min: 1, max: 12_566 } as const;
/** Acceleration and deceleration (mm/s²): above 0 and at most 10 m/s² (1 g). */
export const ACCELERATION_MM_S2 = { min: 1, max: 10_000 } as const;

/** Printable text: no control characters (C0, DEL, C1) and no line or paragraph separators. */
// Unicode category Cc is exactly C0, DEL and C1; the separators are Zl and Zp.
const NON_PRINTABLE = /[\p{Cc}\p{Zl}\p{Zp}]/u;

export type CapabilityCheck = { ok: true } | { ok: false; detail: string };

export function checkRegistration(m: RegisterRequest): CapabilityCheck {
  for (const field of ['vendor', 'model', 'serial', 'softwareVersion'] as const) {
    const value = m[field];
    if (field !== 'softwareVersion' && value.trim() === '') return refuse(`${field} is empty`);
    if (NON_PRINTABLE.test(value)) return refuse(`${field} contains control characters; only printable text is accepted`);
  }
  const c = m.capabilities;
  const ranges: [string, number, { min: number; max: number }, string][] = [
    ['maxSpeed', c.maxSpeed, SPEED_MM_S, 'mm/s'],
    ['maxAngularSpeed', c.maxAngularSpeed, ANGULAR_SPEED_MRAD_S, 'mrad/s'],
    ['maxAcceleration', c.maxAcceleration, ACCELERATION_MM_S2, 'mm/s²'],
    ['maxDeceleration', c.maxDeceleration, ACCELERATION_MM_S2, 'mm/s²'],
  ];
  for (const [name, value, range, unit] of ranges) {
    if (value < range.min || value > range.max) return refuse(`capabilities.${name} ${value} ${unit} is outside ${range.min}..${range.max} ${unit}`);
  }
  const seen = new Set<string>();
  for (const a of c.actuators) {
    if (a.min > a.max) return refuse(`actuator ${a.type} #${a.index} has min ${a.min} > max ${a.max}`);
    const key = `${a.type}#${a.index}`;
    if (seen.has(key)) return refuse(`actuator ${key} is listed twice`);
    seen.add(key);
  }
  return { ok: true };
}

function refuse(detail: string): CapabilityCheck {
  return { ok: false, detail };
}
