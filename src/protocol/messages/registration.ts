// Registration (identity + capabilities), parameter query/set, and global configuration.
import { ActuatorType, AgvType, ConfigResult, Kinematics, NavType, ParamId, RegisterResult } from '../enums.ts';
import { appended, array, enumOf, i32, string, struct, u16, u32, u8 } from '../schema/types.ts';
import { defineMessage } from './define.ts';
import { percentPermille } from './common.ts';

const ActuatorInfo = struct({
  type: enumOf(ActuatorType, { doc: 'actuator type' }),
  index: u8({ doc: '0-based index among actuators of this type' }),
  min: i32({ doc: 'lower limit of its main axis (mm or mrad)' }),
  max: i32({ doc: 'upper limit of its main axis (mm or mrad)' }),
}, { name: 'ActuatorInfo' });

const MapInfo = struct({
  mapId: u16({ min: 1, doc: 'map id (the platform maps site map names to ids)' }),
  mapVersion: u32({ doc: 'version of that map held by the AGV' }),
}, { name: 'MapInfo' });

const Capabilities = struct({
  kinematics: enumOf(Kinematics, { doc: 'drive kinematics' }),
  length: u16({ unit: 'mm', doc: 'footprint length' }),
  width: u16({ unit: 'mm', doc: 'footprint width' }),
  height: u16({ unit: 'mm', doc: 'height' }),
  maxSpeed: u16({ unit: 'mm/s', doc: 'max linear speed' }),
  maxAcceleration: u16({ unit: 'mm/s²', doc: 'max linear acceleration' }),
  maxDeceleration: u16({ unit: 'mm/s²', doc: 'max braking deceleration' }),
  maxAngularSpeed: u16({ unit: 'mrad/s', doc: 'max angular speed' }),
  maxPayload: u16({ unit: 'kg', doc: 'rated load' }),
  actuators: array(ActuatorInfo, { maxCount: 32, doc: 'actuators fitted' }),
  navigationTypes: array(enumOf(NavType), { maxCount: 8, doc: 'navigation modes supported' }),
  maps: array(MapInfo, { maxCount: 64, doc: 'maps held' }),
}, { name: 'Capabilities' });

export const registerRequest = defineMessage('registerRequest', 0x0101, 'agv→platform',
  'After access (and key exchange): identity, type, capabilities and software version.', {
    vendor: string({ maxBytes: 64, doc: 'vendor' }),
    model: string({ maxBytes: 64, doc: 'model' }),
    serial: string({ maxBytes: 64, doc: 'serial number' }),
    agvType: enumOf(AgvType, { doc: 'AGV type' }),
    softwareVersion: string({ maxBytes: 64, doc: 'AGV software version' }),
    capabilities: Capabilities,
    mapHash: appended(1, u32({ doc: 'hash of the site map export the AGV holds (mapHash of GET /api/v1/site/export); absent: not checked' })),
  });

export const registerAck = defineMessage('registerAck', 0x0102, 'platform→agv',
  'Answer to registerRequest. An accepted AGV next receives globalConfig.', {
    result: enumOf(RegisterResult, { doc: 'accepted or why not' }),
    detail: string({ maxBytes: 255, doc: 'human-readable reason (may be empty)' }),
    mapHash: appended(1, u32({ doc: 'hash of the platform\'s current site map (sent to a v1.1 peer)' })),
  });

const ParamValue = struct({
  param: enumOf(ParamId, { doc: 'parameter' }),
  value: i32({ doc: 'value in the unit of the parameter (see ParamId)' }),
}, { name: 'ParamValue' });

export const paramQuery = defineMessage('paramQuery', 0x0110, 'platform→agv', 'Read basic parameters.', {
  queryId: u32({ doc: 'echoed in paramReport' }),
  params: array(enumOf(ParamId), { maxCount: 64, doc: 'parameters to read; empty = all' }),
});

export const paramReport = defineMessage('paramReport', 0x0111, 'agv→platform', 'Current values of basic parameters.', {
  queryId: u32({ doc: 'queryId of the paramQuery answered; 0 if unsolicited' }),
  params: array(ParamValue, { maxCount: 64, doc: 'values' }),
});

export const paramSet = defineMessage('paramSet', 0x0112, 'platform→agv', 'Change basic parameters (all or nothing).', {
  requestId: u32({ doc: 'echoed in paramSetAck' }),
  params: array(ParamValue, { maxCount: 64, doc: 'new values' }),
});

export const paramSetAck = defineMessage('paramSetAck', 0x0113, 'agv→platform', 'Result per parameter of a paramSet.', {
  requestId: u32({ doc: 'requestId of the paramSet' }),
  results: array(struct({
    param: enumOf(ParamId, { doc: 'parameter' }),
    result: enumOf(ConfigResult, { doc: 'result' }),
  }, { name: 'ParamResult' }), { maxCount: 64, doc: 'one entry per parameter set' }),
});

export const globalConfig = defineMessage('globalConfig', 0x0120, 'platform→agv',
  'Session-wide configuration: report periods, heartbeat timing, alarm thresholds.', {
    statusPeriod: u16({ min: 20, unit: 'ms', doc: 'statusReport period while active' }),
    heartbeatPeriod: u16({ min: 100, unit: 'ms', doc: 'heartbeat period (each side)' }),
    heartbeatTimeout: u32({ min: 200, unit: 'ms', doc: 'no frame for this long: peer is offline' }),
    runningDataPeriod: u32({ unit: 'ms', doc: 'unsolicited runningData period; 0 = only on request' }),
    batteryLow: percentPermille('battery level raising a warning'),
    batteryCritical: percentPermille('battery level raising an error; the AGV must go charging'),
    localisationScoreMin: u8({ max: 100, unit: '%', doc: 'localisation score below which the AGV stops and reports localisationLost' }),
    maxClockSkew: u32({ unit: 'ms', doc: 'accepted timestamp difference between the peers (secure anti-replay)' }),
  });

export const globalConfigAck = defineMessage('globalConfigAck', 0x0121, 'agv→platform', 'Answer to globalConfig.', {
  result: enumOf(ConfigResult, { doc: 'ok or why not' }),
});
