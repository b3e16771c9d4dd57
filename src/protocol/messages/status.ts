// Status report, running data and alarms: what the AGV tells the platform about itself.
import { ActuatorState, ActuatorType, AgvState, AlarmTransition, EStopState, LoadState, LogLevel, NavType, OperatingMode, RunningDataItem, Severity } from '../enums.ts';
import { array, bool, enumOf, i16, i32, string, struct, u16, u32, u48, u8 } from '../schema/types.ts';
import { ActionStatus, ErrorEntry, percentPermille, Pose, SPECIAL } from './common.ts';
import { defineMessage } from './define.ts';

const ActuatorStatus = struct({
  type: enumOf(ActuatorType, { doc: 'actuator type' }),
  index: u8({ doc: 'index among actuators of this type' }),
  state: enumOf(ActuatorState, { doc: 'actuator state' }),
  position: i32({ doc: 'main-axis position (mm or mrad)' }),
}, { name: 'ActuatorStatus' });

export const statusReport = defineMessage('statusReport', 0x0201, 'agv→platform',
  'Periodic state of the AGV (period from globalConfig), and immediately on every state change.', {
    orderId: u32({ doc: 'order being executed; 0 = none' }),
    orderUpdateId: u32({ doc: 'latest update of that order accepted' }),
    pose: Pose,
    localisationScore: u8({ max: 100, unit: '%', specials: { UNKNOWN: SPECIAL.UNKNOWN_U8 }, doc: 'localisation confidence' }),
    mapId: u16({ doc: 'active map' }),
    navMode: enumOf(NavType, { doc: 'active navigation mode' }),
    vx: i16({ unit: 'mm/s', doc: 'velocity along the AGV heading (negative = reversing)' }),
    vy: i16({ unit: 'mm/s', doc: 'lateral velocity (omnidirectional AGVs; else 0)' }),
    omega: i16({ unit: 'mrad/s', doc: 'angular velocity' }),
    battery: percentPermille('state of charge'),
    batteryVoltage: u16({ unit: '10 mV', doc: 'battery voltage; 0xFFFF = unknown' }),
    charging: bool({ doc: 'charging now' }),
    loadState: enumOf(LoadState, { doc: 'load' }),
    state: enumOf(AgvState, { doc: 'AGV state' }),
    operatingMode: enumOf(OperatingMode, { doc: 'operating mode' }),
    lastNodeId: u32({ doc: 'last node reached; 0 = none' }),
    lastNodeSequenceId: u16({ doc: 'sequenceId of that node in the order' }),
    currentEdgeId: u32({ doc: 'edge being driven; 0 = standing on lastNodeId' }),
    edgeProgress: u16({ max: 1000, unit: '0.1 %', doc: 'progress along currentEdgeId' }),
    eStop: enumOf(EStopState, { doc: 'emergency stop' }),
    protectiveField: bool({ doc: 'protective field violated (AGV stopped by its safety scanner)' }),
    actuators: array(ActuatorStatus, { maxCount: 32, doc: 'actuator states' }),
    actions: array(ActionStatus, { maxCount: 255, doc: 'states of the current order\'s actions not yet reported finished' }),
    errors: array(ErrorEntry, { maxCount: 64, doc: 'active errors and warnings' }),
  });

const Diagnostic = struct({
  key: u16({ doc: 'vendor diagnostic id' }),
  value: i32({ doc: 'value' }),
}, { name: 'Diagnostic' });

const LogLine = struct({
  time: u48({ unit: 'ms', doc: 'time of the log line' }),
  level: enumOf(LogLevel, { doc: 'level' }),
  text: string({ maxBytes: 1024, prefix: 'u16', doc: 'text' }),
}, { name: 'LogLine' });

export const runningDataRequest = defineMessage('runningDataRequest', 0x0204, 'platform→agv',
  'Ask for running data now (and logs since a time).', {
    requestId: u32({ doc: 'echoed in runningData' }),
    items: array(enumOf(RunningDataItem), { maxCount: 8, doc: 'what to include; empty = odometry, counters, diagnostics' }),
    logsSince: u48({ unit: 'ms', doc: 'with logs: lines newer than this time' }),
    maxLogLines: u16({ doc: 'with logs: at most this many lines' }),
  });

export const runningData = defineMessage('runningData', 0x0202, 'agv→platform',
  'Odometry, counters and diagnostics (periodically per globalConfig, or answering runningDataRequest).', {
    requestId: u32({ doc: 'requestId answered; 0 if periodic' }),
    odometer: u32({ unit: 'm', doc: 'total distance driven' }),
    operatingTime: u32({ unit: 's', doc: 'total powered-on time' }),
    drivingTime: u32({ unit: 's', doc: 'total driving time' }),
    liftCycles: u32({ doc: 'lift/actuator cycles' }),
    chargeCycles: u32({ doc: 'battery charge cycles' }),
    batteryHealth: percentPermille('battery state of health'),
    batteryTemperature: i16({ unit: '0.1 °C', doc: 'battery temperature' }),
    diagnostics: array(Diagnostic, { maxCount: 255, doc: 'vendor diagnostics' }),
    logs: array(LogLine, { maxCount: 1000, doc: 'log lines (only when requested)' }),
  });

export const alarmReport = defineMessage('alarmReport', 0x0203, 'agv→platform',
  'An alarm raised or cleared, or a one-off event. The platform acks it (ACK_REQUESTED).', {
    alarmId: u32({ min: 1, doc: 'instance id; the cleared report repeats the raised one\'s id' }),
    code: u16({ doc: 'vendor or guide alarm code' }),
    severity: enumOf(Severity, { doc: 'severity' }),
    transition: enumOf(AlarmTransition, { doc: 'raised, cleared or one-off event' }),
    nodeId: u32({ doc: 'node nearest to where it happened; 0 = unknown' }),
    text: string({ maxBytes: 255, doc: 'human-readable text' }),
  });
