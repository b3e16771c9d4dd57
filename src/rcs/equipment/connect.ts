import mqtt from 'mqtt';
import type { Clock } from '../../core/index.ts';
import type { Logger } from '../logger.ts';
import type { SiteMap } from '../site/types.ts';
import { MqttDoor, MqttLift } from './mqtt-binding.ts';
import type { DoorController, LiftController } from './types.ts';

/**
 * Connects to the broker of the site's lift and door gateways and binds every lift and door of the site to its
 * topics. A lift or door whose gateway never reports stays out of service (docs/lifts-and-doors.md).
 */
export async function connectEquipment(
  site: SiteMap,
  config: { equipmentMqttUrl: string; equipmentTopicPrefix: string },
  clock: Clock,
  logger: Logger,
): Promise<{ lifts: Map<string, LiftController>; doors: Map<string, DoorController>; close(): Promise<void> }> {
  const client = await mqtt.connectAsync(config.equipmentMqttUrl, { reconnectPeriod: 2_000 });
  const options = {
    client,
    prefix: config.equipmentTopicPrefix,
    clock,
    onInvalid: (topic: string, error: string) => logger.warn({ topic, error }, 'malformed lift/door message ignored'),
  };
  const lifts = new Map<string, LiftController>(site.lifts.map((l) => [l.id, new MqttLift(options, l.id)]));
  const doors = new Map<string, DoorController>(site.doors.map((d) => [d.id, new MqttDoor(options, d.id)]));
  return { lifts, doors, close: () => client.endAsync() };
}
