import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.ts';
import {
  cabinOpenAt, liftTopics, MqttDoor, MqttLift, serveDoor, serveLift, SimulatedDoor, SimulatedLift,
} from '../../../src/rcs/equipment/index.ts';
import { connectClient, uniquePrefix, waitFor } from './mqtt-helpers.ts';

// The platform side and the gateway side each have their own connection to the real broker, as they would at a
// site; the simulated lift stands in for the vendor's lift behind the gateway.
const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync()));
});

async function pair() {
  const platform = await connectClient();
  const gateway = await connectClient();
  clients.push(platform, gateway);
  return { platform, gateway, prefix: uniquePrefix() };
}

describe('lifts over MQTT', () => {
  it('rides through the gateway: call, state with floor/door/motion, release', async () => {
    const { platform, gateway, prefix } = await pair();
    const sim = new SimulatedLift({ liftId: 'L1', floors: ['F1', 'F2'], doorS: 0.01, travelSPerFloor: 0.02, clock: systemClock });
    serveLift({ client: gateway, prefix }, sim);
    const lift = new MqttLift({ client: platform, prefix, clock: systemClock }, 'L1');
    await waitFor(lift.onState.bind(lift), (s) => s.mode === 'agv');
    const seenMoving = waitFor(lift.onState.bind(lift), (s) => s.motion === 'up');
    const seenOpen = waitFor(lift.onState.bind(lift), (s) => cabinOpenAt(s, 'F2', 'ride-1'));
    expect(await lift.call('ride-1', 'F2')).toEqual({ accepted: true });
    await seenMoving;
    await seenOpen;
    expect(await lift.call('ride-2', 'F1')).toMatchObject({ accepted: false, reason: expect.stringContaining('held by another session') });
    const seenClosed = waitFor(lift.onState.bind(lift), (s) => s.sessionId === null && s.door === 'closed');
    expect(await lift.release('ride-1')).toEqual({ accepted: true });
    await seenClosed;
  });

  it('shows a mode change made at the lift (fire) and reads as out of service before any state', async () => {
    const { platform, gateway, prefix } = await pair();
    const lift = new MqttLift({ client: platform, prefix, clock: systemClock }, 'L2');
    expect(lift.state()).toMatchObject({ mode: 'outOfService', fault: 'noState' });
    const sim = new SimulatedLift({ liftId: 'L2', floors: ['F1', 'F2'], doorS: 0.01, travelSPerFloor: 0.02, clock: systemClock });
    serveLift({ client: gateway, prefix }, sim);
    await waitFor(lift.onState.bind(lift), (s) => s.mode === 'agv');
    const seenFire = waitFor(lift.onState.bind(lift), (s) => s.mode === 'fire');
    sim.setMode('fire');
    await seenFire;
    expect(await lift.call('r', 'F1')).toMatchObject({ accepted: false, reason: expect.stringContaining('fire') });
  });

  it('ignores malformed state, answers malformed commands, and times out when nobody answers', async () => {
    const { platform, gateway, prefix } = await pair();
    const invalid: string[] = [];
    const lift = new MqttLift({ client: platform, prefix, clock: systemClock, replyTimeoutMs: 200, onInvalid: (_t, e) => invalid.push(e) }, 'L3');
    const topics = liftTopics(prefix, 'L3');
    await platform.publishAsync(topics.state, JSON.stringify({ liftId: 'L3', floor: 'F1', door: 'ajar', motion: 'idle', mode: 'agv', sessionId: null, fault: null }));
    await platform.publishAsync(topics.state, 'not json');
    // The broker delivers in order: a good state after the bad ones proves the bad ones were seen and dropped.
    await platform.publishAsync(topics.state, JSON.stringify({ liftId: 'L3', floor: 'F1', door: 'closed', motion: 'idle', mode: 'human', sessionId: null, fault: null }));
    await waitFor(lift.onState.bind(lift), (s) => s.mode === 'human');
    expect(invalid).toEqual(['door: expected one of open, opening, closed, closing', 'not JSON']);
    expect(await lift.call('r', 'F1')).toEqual({ accepted: false, reason: 'no reply within 200 ms' });

    const gatewayInvalid: string[] = [];
    serveLift({ client: gateway, prefix, onInvalid: (_t, e) => gatewayInvalid.push(e) }, new SimulatedLift({ liftId: 'L3', floors: ['F1'], doorS: 0.01, travelSPerFloor: 0.01, clock: systemClock }));
    const reply = new Promise<string>((resolve) => {
      platform.on('message', (topic, payload) => {
        if (topic === topics.reply && payload.toString().includes('bad-1')) resolve(payload.toString());
      });
    });
    await platform.publishAsync(topics.command, JSON.stringify({ requestId: 'bad-1', command: 'fly', sessionId: 's' }));
    expect(JSON.parse(await reply)).toEqual({ requestId: 'bad-1', accepted: false, reason: 'command: expected one of call, release' });
    expect(gatewayInvalid).toEqual(['command: expected one of call, release']);
  });
});

describe('doors over MQTT', () => {
  it('opens through the gateway and reports a jam', async () => {
    const { platform, gateway, prefix } = await pair();
    const sim = new SimulatedDoor({ doorId: 'FD-1', travelS: 0.01, clock: systemClock });
    serveDoor({ client: gateway, prefix }, sim);
    const door = new MqttDoor({ client: platform, prefix, clock: systemClock }, 'FD-1');
    await waitFor(door.onState.bind(door), (s) => s.fault === null);
    const seenOpen = waitFor(door.onState.bind(door), (s) => s.position === 'open');
    expect(await door.open()).toEqual({ accepted: true });
    await seenOpen;
    const seenClosed = waitFor(door.onState.bind(door), (s) => s.position === 'closed');
    await door.close();
    await seenClosed;
    sim.jam(true);
    const seenJam = waitFor(door.onState.bind(door), (s) => s.fault !== null);
    await door.open();
    expect(await seenJam).toMatchObject({ position: 'closed', fault: 'jammed' });
  });
});
