import { randomBytes } from 'node:crypto';
import { connectAsync } from 'mqtt';

// The Mosquitto the MQTT tests use (127.0.0.1:1883 or $UNIFLEET_TEST_MQTT; .ci/run starts it), whether it is
// reachable, and a topic root no other run on the same broker uses.

export const MQTT_URL = process.env.UNIFLEET_TEST_MQTT ?? 'mqtt://127.0.0.1:1883';

export async function brokerReachable(): Promise<boolean> {
  try {
    const client = await connectAsync(MQTT_URL, { connectTimeout: 2_000, reconnectPeriod: 0 });
    await client.endAsync();
    return true;
  } catch {
    return false;
  }
}

/** A topic root of its own per run, so parallel runs sharing the broker never see each other's links. */
export function uniqueTopicRoot(): string {
  return `test-${randomBytes(6).toString('hex')}/unifleet/v1`;
}
