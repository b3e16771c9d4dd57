// Structures shared by several messages, and the guide's "special field values".
import { ActionState, ActuatorControlParam, ActuatorType, LiftAdjustType, Severity } from '../enums.ts';
import { array, bool, enumOf, i16, i32, struct, u16, u32, u8 } from '../schema/types.ts';

/** Special field values (guide annex): reserved numbers that mean "none", "unknown" or "unlimited". */
export const SPECIAL = {
  /** Node, edge, order, lease or request id 0: none. */
  NONE_ID: 0,
  /** Heading -32768: unknown (in reports) / free, AGV chooses (in commands). */
  HEADING_FREE: -32768,
  /** Position coordinate -2147483648: unknown. */
  POSITION_UNKNOWN: -2147483648,
  /** u16 measurement 0xFFFF: unknown / not measured (battery, voltage, score). */
  UNKNOWN_U16: 0xffff,
  /** u8 measurement 0xFF: unknown. */
  UNKNOWN_U8: 0xff,
  /** Speed limit 0: no limit beyond the AGV's own. */
  NO_SPEED_LIMIT: 0,
  /** Duration/lease 0xFFFFFFFF: unlimited, until released. */
  UNLIMITED_MS: 0xffffffff,
} as const;

export const heading = (doc: string) =>
  i16({ min: -3142, max: 3142, unit: 'mrad', specials: { HEADING_FREE: SPECIAL.HEADING_FREE }, doc });
export const coordinate = (doc: string) => i32({ unit: 'mm', doc });

export const Pose = struct({
  x: coordinate('X in the map frame'),
  y: coordinate('Y in the map frame'),
  theta: heading('heading, counter-clockwise from +X; -32768 = unknown/free'),
}, { name: 'Pose', doc: 'position and heading on the active map' });

export const Point = struct({ x: coordinate('X'), y: coordinate('Y') }, { name: 'Point' });

export const ControlParamValue = struct({
  param: enumOf(ActuatorControlParam, { doc: 'which parameter' }),
  value: i32({ doc: 'value in the unit of the parameter (see ActuatorControlParam)' }),
}, { name: 'ControlParamValue' });

/** An action at a target node, or a stand-alone actuator command. */
export const Action = struct({
  actionId: u32({ min: 1, doc: 'unique within the order (or the session for stand-alone commands)' }),
  actuator: enumOf(ActuatorType, { doc: 'actuator to drive' }),
  actuatorIndex: u8({ doc: 'which one, when the AGV has several of this type (0-based)' }),
  liftAdjust: enumOf(LiftAdjustType, { doc: 'lift adjustment type; none for other actuators' }),
  blocking: bool({ doc: 'AGV must not drive while the action runs' }),
  params: array(ControlParamValue, { maxCount: 16, doc: 'control parameters' }),
}, { name: 'Action' });

export const ActionStatus = struct({
  actionId: u32({ doc: 'action id' }),
  state: enumOf(ActionState, { doc: 'current state' }),
}, { name: 'ActionStatus' });

export const ErrorEntry = struct({
  code: u16({ doc: 'vendor or guide error code' }),
  severity: enumOf(Severity, { doc: 'severity' }),
}, { name: 'ErrorEntry' });

export const percentPermille = (doc: string) =>
  u16({ min: 0, max: 1000, unit: '0.1 %', specials: { UNKNOWN: SPECIAL.UNKNOWN_U16 }, doc });
