export * from './types.ts';
export { SimulatedLift, type SimulatedLiftOptions } from './sim-lift.ts';
export { SimulatedDoor, type SimulatedDoorOptions } from './sim-door.ts';
export { MqttLift, MqttDoor, serveLift, serveDoor, type MqttBindingOptions, type GatewayOptions } from './mqtt-binding.ts';
export { liftTopics, doorTopics } from './contract.ts';
