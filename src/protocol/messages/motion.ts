// Motion control: paths (orders), pause/resume/cancel/e-stop, actuators, charging, navigation and map switching.
import { ChargingAction, ControlCommand, MovementType, NavType, SwitchResult, TargetAttribute, TaskType, TrajectoryType } from '../enums.ts';
import { array, enumOf, i32, string, struct, u16, u32, u8 } from '../schema/types.ts';
import { Action, heading, percentPermille, Pose } from './common.ts';
import { defineMessage } from './define.ts';

const Node = struct({
  nodeId: u32({ min: 1, doc: 'site node id' }),
  sequenceId: u16({ doc: 'position in the order (nodes even, edges odd, increasing)' }),
  pose: Pose,
  mapId: u16({ doc: 'map of this node (changes only after a mapSwitchPoint)' }),
  allowedDeviation: u16({ unit: 'mm', doc: 'how close counts as reached; 0 = AGV default' }),
  attribute: enumOf(TargetAttribute, { doc: 'target attribute' }),
  actions: array(Action, { maxCount: 16, doc: 'actions to run at this node, in order' }),
}, { name: 'Node' });

const ControlPoint = struct({
  x: i32({ unit: 'mm', doc: 'X' }),
  y: i32({ unit: 'mm', doc: 'Y' }),
  weight: u16({ unit: '1/1000', doc: 'NURBS weight (1000 = 1.0); ignored otherwise' }),
}, { name: 'ControlPoint' });

const Edge = struct({
  edgeId: u32({ min: 1, doc: 'site edge id' }),
  sequenceId: u16({ doc: 'position in the order (between its nodes)' }),
  startNodeId: u32({ min: 1, doc: 'from node' }),
  endNodeId: u32({ min: 1, doc: 'to node' }),
  maxSpeed: u16({ unit: 'mm/s', doc: 'speed limit; 0 = no limit beyond the AGV\'s' }),
  maxAngularSpeed: u16({ unit: 'mrad/s', doc: 'angular speed limit; 0 = none' }),
  movement: enumOf(MovementType, { doc: 'movement type' }),
  orientation: heading('AGV heading relative to the edge tangent while driving; -32768 = free'),
  trajectory: enumOf(TrajectoryType, { doc: 'trajectory type' }),
  controlPoints: array(ControlPoint, { maxCount: 32, doc: 'trajectory control points (none for line)' }),
  actions: array(Action, { maxCount: 16, doc: 'actions while driving this edge' }),
}, { name: 'Edge' });

export const motionCommand = defineMessage('motionCommand', 0x0301, 'platform→agv',
  'A path (order) or an update extending it. Only the released part may be driven; the rest is announced.', {
    orderId: u32({ min: 1, doc: 'order id' }),
    orderUpdateId: u32({ doc: '0 for a new order; each update increments it and its first node is the last released node so far' }),
    taskType: enumOf(TaskType, { doc: 'task type' }),
    nodes: array(Node, { maxCount: 1000, prefix: 'u16', doc: 'nodes in driving order' }),
    edges: array(Edge, { maxCount: 999, prefix: 'u16', doc: 'edges; edges[i] joins nodes[i] and nodes[i+1]' }),
    releasedNodeCount: u16({ min: 1, doc: 'nodes[0..n) are released (may be driven); the rest are announced only. Released edges: n-1' }),
  });

export const motionControl = defineMessage('motionControl', 0x0302, 'platform→agv',
  'Pause, resume, cancel, emergency stop (and its release).', {
    command: enumOf(ControlCommand, { doc: 'command' }),
    orderId: u32({ doc: 'order concerned; 0 = whatever the AGV is doing' }),
  });

export const actuatorCommand = defineMessage('actuatorCommand', 0x0303, 'platform→agv',
  'Run an actuator now, outside an order (lift, rotate, fork, roller, ...). Progress in statusReport.actions.', {
    action: Action,
  });

export const chargingCommand = defineMessage('chargingCommand', 0x0304, 'platform→agv',
  'Start or stop charging (the AGV must be at the charger\'s node).', {
    action: enumOf(ChargingAction, { doc: 'start or stop' }),
    chargerId: u32({ doc: 'charger id (its node id); 0 = the one the AGV stands at' }),
    targetLevel: percentPermille('stop charging at this level; 0xFFFF = full'),
  });

export const navModeSwitch = defineMessage('navModeSwitch', 0x0401, 'platform→agv',
  'Switch navigation mode (e.g. laser SLAM ↔ QR code) at a switch point.', {
    requestId: u32({ min: 1, doc: 'echoed in navModeSwitchResult' }),
    targetMode: enumOf(NavType, { doc: 'mode to switch to' }),
    switchNodeId: u32({ doc: 'switch point node; 0 = where the AGV stands' }),
  });

export const navModeSwitchResult = defineMessage('navModeSwitchResult', 0x0402, 'agv→platform', 'Outcome of a navModeSwitch.', {
  requestId: u32({ doc: 'requestId answered' }),
  result: enumOf(SwitchResult, { doc: 'result' }),
  currentMode: enumOf(NavType, { doc: 'mode now active' }),
  detail: string({ maxBytes: 255, doc: 'human-readable detail' }),
});

export const mapSwitch = defineMessage('mapSwitch', 0x0403, 'platform→agv',
  'Switch the active map (floor/building, e.g. in an elevator) and localise at a pose on the new map.', {
    requestId: u32({ min: 1, doc: 'echoed in mapSwitchResult' }),
    targetMapId: u16({ min: 1, doc: 'map to switch to' }),
    switchNodeId: u32({ doc: 'switch point node (on the old map); 0 = where the AGV stands' }),
    initialPose: Pose,
  });

export const mapSwitchResult = defineMessage('mapSwitchResult', 0x0404, 'agv→platform', 'Outcome of a mapSwitch.', {
  requestId: u32({ doc: 'requestId answered' }),
  result: enumOf(SwitchResult, { doc: 'result' }),
  currentMapId: u16({ doc: 'map now active' }),
  localisationScore: u8({ max: 100, unit: '%', doc: 'localisation confidence on the new map' }),
  detail: string({ maxBytes: 255, doc: 'human-readable detail' }),
});
