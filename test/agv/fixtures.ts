import type { RegistrationFields, StatusFields } from '../../src/agv/index.ts';

// A plain test AGV's registration and status, for tests that drive the SDK client directly.

export const registration: RegistrationFields = {
  vendor: 'Test', model: 'T1', serial: 'T-1', agvType: 'latentLifting', softwareVersion: '1.0',
  capabilities: { kinematics: 'differential', length: 900, width: 600, height: 300, maxSpeed: 1500, maxAcceleration: 500, maxDeceleration: 500, maxAngularSpeed: 1000, maxPayload: 500, actuators: [{ type: 'lift', index: 0, min: 0, max: 60 }], navigationTypes: ['qrCode'], maps: [{ mapId: 1, mapVersion: 1 }] },
};

export function status(): StatusFields {
  return {
    orderId: 0, orderUpdateId: 0, pose: { x: 0, y: 1000, theta: 0 }, localisationScore: 99, mapId: 1, navMode: 'qrCode', vx: 0, vy: 0, omega: 0,
    battery: 800, batteryVoltage: 4800, charging: false, loadState: 'empty', state: 'idle', operatingMode: 'automatic', lastNodeId: 1,
    lastNodeSequenceId: 0, currentEdgeId: 0, edgeProgress: 0, eStop: 'none', protectiveField: false, actuators: [], actions: [], errors: [],
  };
}
