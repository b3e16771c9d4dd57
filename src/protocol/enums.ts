// Every enumeration of the interface guide's annex, plus the protocol's own. Wire numbers are part of the
// protocol: never renumber; add new values only in a new minor version (and peers must not send values the
// negotiated version does not define). Value 0 is never "a normal choice" where a field may be left unset.
import { defineEnum, type EnumDef } from './schema/types.ts';

export const AccessMode = defineEnum('AccessMode', 'Channel mode requested at access.', {
  normal: 0,
  secure: 1,
}, { normal: 'plain frames, CRC-protected only', secure: 'SM2 key exchange, then SM4-encrypted and SM2-signed frames' });

export const AccessResult = defineEnum('AccessResult', 'Outcome of an access request.', {
  accepted: 0,
  unsupportedVersion: 1,
  unknownAgv: 2,
  secureRequired: 3,
  duplicateSession: 4,
  busy: 5,
  refused: 6,
});

export const RegisterResult = defineEnum('RegisterResult', 'Outcome of a registration.', {
  accepted: 0,
  rejectedIdentity: 1,
  rejectedCapabilities: 2,
  unknownMap: 3,
  refused: 4,
  /** Since v1.1: the AGV's map hash is not the platform's (registerAck.mapHash has the current one). */
  staleMap: 5,
});

export const AgvType = defineEnum('AgvType', 'AGV types (guide annex).', {
  other: 0,
  latentLifting: 1,
  forklift: 2,
  towing: 3,
  roller: 4,
  conveyor: 5,
  unitLoadCarrier: 6,
  compositeRobot: 7,
  palletStacker: 8,
  omnidirectional: 9,
}, {
  latentLifting: 'drives under a rack/shelf and lifts it (jacking AGV)',
  compositeRobot: 'AGV with a robot arm',
  unitLoadCarrier: 'carries totes/bins on a deck',
});

export const Kinematics = defineEnum('Kinematics', 'Drive kinematics.', {
  differential: 0,
  omnidirectional: 1,
  singleSteer: 2,
  doubleSteer: 3,
  ackermann: 4,
  quadSteer: 5,
});

export const NavType = defineEnum('NavType', 'Navigation (localisation) modes.', {
  laserSlam: 0,
  qrCode: 1,
  magneticTape: 2,
  reflector: 3,
  visualSlam: 4,
  inertial: 5,
  gnss: 6,
  uwb: 7,
});

export const AgvState = defineEnum('AgvState', 'AGV states (guide annex): the AGV-side state machine.', {
  initializing: 0,
  idle: 1,
  moving: 2,
  paused: 3,
  executingAction: 4,
  waiting: 5,
  charging: 6,
  error: 7,
  emergencyStop: 8,
  manual: 9,
  localisationLost: 10,
  switchingMap: 11,
  switchingNav: 12,
  sleeping: 13,
}, {
  waiting: 'holding position: end of released path, or waiting for a space grant',
  manual: 'driven by hand; the platform must not command it',
  emergencyStop: 'e-stop active; resumes only after release',
});

export const OperatingMode = defineEnum('OperatingMode', 'Who is in control of the AGV.', {
  automatic: 0,
  semiAutomatic: 1,
  manual: 2,
  service: 3,
  teachIn: 4,
});

export const LoadState = defineEnum('LoadState', 'Load on the AGV.', { unknown: 0, empty: 1, loaded: 2, partial: 3 });

export const EStopState = defineEnum('EStopState', 'Emergency-stop state.', {
  none: 0,
  manual: 1,
  remote: 2,
  autoAck: 3,
}, { manual: 'e-stop button on the AGV', remote: 'e-stop from the platform or a remote button', autoAck: 'safety system stop that clears itself' });

export const ActuatorType = defineEnum('ActuatorType', 'Actuator types (guide annex).', {
  lift: 0,
  rotate: 1,
  fork: 2,
  roller: 3,
  conveyor: 4,
  clamp: 5,
  arm: 6,
  towHook: 7,
  pushPull: 8,
  door: 9,
  charger: 10,
  light: 11,
  buzzer: 12,
});

export const ActuatorState = defineEnum('ActuatorState', 'Actuator states (guide annex).', {
  idle: 0,
  running: 1,
  finished: 2,
  paused: 3,
  failed: 4,
  disabled: 5,
});

export const ActuatorControlParam = defineEnum('ActuatorControlParam', 'Actuator control parameters (guide annex); each carries an i32 value in the stated unit.', {
  height: 0,
  angle: 1,
  speed: 2,
  angularSpeed: 3,
  direction: 4,
  duration: 5,
  distance: 6,
  loadWeight: 7,
  forkReach: 8,
  forkTilt: 9,
  sideShift: 10,
  count: 11,
  targetId: 12,
}, {
  height: 'mm', angle: 'mrad', speed: 'mm/s', angularSpeed: 'mrad/s', direction: '+1 / -1 (e.g. roller in/out)', duration: 'ms',
  distance: 'mm', loadWeight: 'kg', forkReach: 'mm', forkTilt: 'mrad', sideShift: 'mm', count: 'repetitions', targetId: 'station/rack id',
});

export const LiftAdjustType = defineEnum('LiftAdjustType', 'Lift-mechanism adjustment types (guide annex).', {
  none: 0,
  absolute: 1,
  relativeUp: 2,
  relativeDown: 3,
  toTop: 4,
  toBottom: 5,
  followRotation: 6,
}, { none: 'not a lift action', absolute: 'to the height parameter', followRotation: 'keep load orientation while the AGV rotates' });

export const ActionState = defineEnum('ActionState', 'State of an action at a target.', {
  waiting: 0,
  initializing: 1,
  running: 2,
  paused: 3,
  finished: 4,
  failed: 5,
});

export const TaskType = defineEnum('TaskType', 'Task types (guide annex): why the AGV is sent on this path.', {
  move: 0,
  transport: 1,
  pick: 2,
  drop: 3,
  charge: 4,
  park: 5,
  inspect: 6,
  evade: 7,
});

export const TargetAttribute = defineEnum('TargetAttribute', 'Target attributes (guide annex): what the AGV does at a node.', {
  passThrough: 0,
  stop: 1,
  stopForAction: 2,
  chargingPoint: 3,
  navSwitchPoint: 4,
  mapSwitchPoint: 5,
  waitPoint: 6,
  endPoint: 7,
}, { passThrough: 'drive through without stopping', mapSwitchPoint: 'e.g. inside an elevator' });

export const MovementType = defineEnum('MovementType', 'Movement types (guide annex) along an edge.', {
  forward: 0,
  backward: 1,
  lateralLeft: 2,
  lateralRight: 3,
  rotateInPlace: 4,
  free: 5,
}, { free: 'AGV chooses (omnidirectional vehicles)' });

export const TrajectoryType = defineEnum('TrajectoryType', 'Trajectory types (guide annex) of an edge.', {
  line: 0,
  arc: 1,
  bezier: 2,
  nurbs: 3,
}, { arc: 'one control point: the arc centre', bezier: 'cubic: two control points', nurbs: 'control points with weights (knots uniform)' });

export const ControlCommand = defineEnum('ControlCommand', 'Motion control commands.', {
  pause: 0,
  resume: 1,
  cancel: 2,
  emergencyStop: 3,
  releaseEmergencyStop: 4,
}, { cancel: 'drop the order after stopping at the next node (or immediately if standing)' });

export const ChargingAction = defineEnum('ChargingAction', 'Charging command action.', { start: 0, stop: 1 });

export const SwitchResult = defineEnum('SwitchResult', 'Outcome of a navigation-mode or map switch.', {
  success: 0,
  inProgress: 1,
  failed: 2,
  rejected: 3,
  notAtSwitchPoint: 4,
});

export const SpaceRestrictionType = defineEnum('SpaceRestrictionType', 'Space-restriction types (guide annex): what a granted space means for others.', {
  exclusive: 0,
  sharedSlow: 1,
  passThroughOnly: 2,
  noStop: 3,
}, { exclusive: 'nobody else enters', sharedSlow: 'others may enter at reduced speed', passThroughOnly: 'others may pass but not stop' });

export const SpaceReason = defineEnum('SpaceReason', 'Why an AGV asks for autonomous space.', {
  obstacleDetour: 0,
  docking: 1,
  manoeuvre: 2,
  recovery: 3,
  other: 4,
});

export const SpaceDecision = defineEnum('SpaceDecision', 'Platform decision on a space request.', { granted: 0, queued: 1, refused: 2 });

export const SpaceRefusal = defineEnum('SpaceRefusal', 'Why a space request was refused (since v1.2; `none` unless refused).', {
  none: 0,
  invalidArea: 1,
  windowTooLong: 2,
  notInside: 3,
  trajectoryOutside: 4,
  blocked: 5,
  queueFull: 6,
  timeout: 7,
  alreadyHolding: 8,
  unknownAgv: 9,
  notOffered: 10,
}, {
  invalidArea: 'polygon with < 3 points or no area, unknown node, or neither polygon nor nodes',
  windowTooLong: 'window empty, over, or longer than the platform allows',
  notInside: 'the AGV does not stand in the space it asks for',
  trajectoryOutside: 'a point of the trajectory lies outside the space',
  blocked: 'the space overlaps a blocked zone or a reported obstacle',
  queueFull: 'too many requests are queued',
  timeout: 'queued, but the space did not come free within the window',
  alreadyHolding: 'the AGV already holds or waits for a space',
  unknownAgv: 'the AGV is not placed on the map yet',
  notOffered: 'the platform does not grant autonomous space',
});

export const LeaseLoss = defineEnum('LeaseLoss', 'What the AGV does when its lease ends without a release (since v1.2).', {
  stop: 0,
  finishLeaving: 1,
}, { stop: 'stop at once and wait for orders', finishLeaving: 'drive on along its trajectory until it is out of the space, then stop' });

export const LeaseEnd = defineEnum('LeaseEnd', 'Why a lease ended without a release (since v1.2).', {
  expired: 0,
  revoked: 1,
  leftSpace: 2,
}, { expired: 'not renewed in time', revoked: 'taken back by the platform (operator, emergency-stop zone)', leftSpace: 'a reported position lay outside the granted space' });

export const HeartbeatRole = defineEnum('HeartbeatRole', 'Heartbeat role.', { ping: 0, pong: 1 });
export const Origin = defineEnum('Origin', 'Which side sent a message.', { agv: 0, platform: 1 });

export const Severity = defineEnum('Severity', 'Error/alarm severity.', { info: 0, warning: 1, error: 2, fatal: 3 }, {
  warning: 'AGV keeps working', error: 'AGV stopped; operator or platform must act', fatal: 'AGV out of service',
});

export const AlarmTransition = defineEnum('AlarmTransition', 'Alarm lifecycle event.', { raised: 0, cleared: 1, event: 2 }, {
  event: 'one-off notification without a cleared counterpart',
});

export const ConfigResult = defineEnum('ConfigResult', 'Outcome of a configuration or parameter change.', {
  ok: 0,
  unknownParam: 1,
  outOfRange: 2,
  readOnly: 3,
  rejected: 4,
});

export const ParamId = defineEnum('ParamId', 'AGV basic parameters; ids 1–7 are the guide\'s motion-parameter types. Values are i32 in the stated unit.', {
  maxLinearSpeed: 1,
  maxLinearAcceleration: 2,
  maxLinearDeceleration: 3,
  maxAngularSpeed: 4,
  maxAngularAcceleration: 5,
  positionTolerance: 6,
  headingTolerance: 7,
  obstacleStopDistance: 16,
  safetyFieldSet: 17,
  soundVolume: 18,
  chargeStartLevel: 19,
  chargeStopLevel: 20,
  idleSleepAfter: 21,
  statusPeriod: 22,
}, {
  maxLinearSpeed: 'mm/s', maxLinearAcceleration: 'mm/s²', maxLinearDeceleration: 'mm/s²', maxAngularSpeed: 'mrad/s',
  maxAngularAcceleration: 'mrad/s²', positionTolerance: 'mm', headingTolerance: 'mrad', obstacleStopDistance: 'mm',
  safetyFieldSet: 'field set index', soundVolume: '%', chargeStartLevel: '0.1 %', chargeStopLevel: '0.1 %', idleSleepAfter: 'ms',
  statusPeriod: 'ms',
});

export const RunningDataItem = defineEnum('RunningDataItem', 'Parts of running data the platform may ask for.', {
  odometry: 0,
  counters: 1,
  diagnostics: 2,
  logs: 3,
});

export const LogLevel = defineEnum('LogLevel', 'Log line level.', { debug: 0, info: 1, warning: 2, error: 3 });

/** All enumerations, for the spec generator and tooling. */
export const ALL_ENUMS: readonly EnumDef[] = [
  AccessMode, AccessResult, RegisterResult, AgvType, Kinematics, NavType, AgvState, OperatingMode, LoadState, EStopState,
  ActuatorType, ActuatorState, ActuatorControlParam, LiftAdjustType, ActionState, TaskType, TargetAttribute, MovementType,
  TrajectoryType, ControlCommand, ChargingAction, SwitchResult, SpaceRestrictionType, SpaceReason, SpaceDecision, SpaceRefusal, LeaseLoss, LeaseEnd,
  HeartbeatRole, Origin, Severity, AlarmTransition, ConfigResult, ParamId, RunningDataItem, LogLevel,
] as EnumDef[];
