import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';

/** The real broker tests talk to (started by .ci/run when down). */
export const BROKER_URL = process.env.UNIFLEET_TEST_MQTT ?? 'mqtt://127.0.0.1:1883';

/** A topic prefix no other test run shares, so parallel runs on one broker never see each other's messages. */
export function uniquePrefix(): string {
  return `unifleet-test/${randomUUID()}`;
}

export async function connectClient(): Promise<MqttClient> {
  return mqtt.connectAsync(BROKER_URL, { reconnectPeriod: 0 });
}

/** Resolves with the first value `subscribe` delivers that passes `test`. */
export function waitFor<T>(subscribe: (listener: (value: T) => void) => () => void, test: (value: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const stop = subscribe((value) => {
      if (!test(value)) return;
      stop();
      resolve(value);
    });
  });
}
