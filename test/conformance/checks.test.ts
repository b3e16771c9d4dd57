import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, type MessageOfKind } from '../../src/protocol/index.ts';
import { exampleMotionCommand } from '../../src/protocol/examples.ts';
import { configProblems, orderProblems, registrationProblems } from '../../src/conformance/checks.ts';
import { hostileInputs } from '../../src/conformance/hostile-frames.ts';
import { kitRegistration } from '../../src/conformance/agv-side/harness.ts';

// The kit's own judgement: plausibility checks find what they claim to find, and each hostile input breaks exactly
// the stream-decoder rule it is named after, without hiding the frame that follows it.

describe('plausibility checks', () => {
  it('accepts the kit\'s own registration and names each implausible field', () => {
    const good = { kind: 'registerRequest', ...kitRegistration('KIT-1', 1) } as MessageOfKind<'registerRequest'>;
    expect(registrationProblems(good)).toEqual([]);
    const bad: MessageOfKind<'registerRequest'> = {
      ...good,
      vendor: 'evil\u0007',
      capabilities: { ...good.capabilities, width: 0, maxSpeed: 0, actuators: [{ type: 'lift', index: 0, min: 10, max: 1 }], maps: [] },
    };
    expect(registrationProblems(bad)).toEqual([
      'vendor has control characters',
      'capabilities.width must be > 0',
      'capabilities.maxSpeed must be > 0',
      'actuator lift#0 has min 10 > max 1',
      'no map declared',
    ]);
  });

  it('flags a heartbeat timeout not longer than the period, and battery thresholds upside down', () => {
    const base = { kind: 'globalConfig', statusPeriod: 500, heartbeatPeriod: 1000, heartbeatTimeout: 5000, runningDataPeriod: 0, batteryLow: 200, batteryCritical: 100, localisationScoreMin: 50, maxClockSkew: 30000 } as const;
    expect(configProblems(base)).toEqual([]);
    expect(configProblems({ ...base, heartbeatTimeout: 1000, batteryCritical: 300 })).toHaveLength(2);
  });

  it('accepts a well-formed order and finds edges that do not join their nodes', () => {
    const order = exampleMotionCommand(4);
    expect(orderProblems(order)).toEqual([]);
    const broken = { ...order, edges: order.edges.map((e, i) => (i === 1 ? { ...e, endNodeId: e.endNodeId + 1000 } : e)) };
    expect(orderProblems(broken)).toEqual([expect.stringContaining('does not join')]);
    expect(orderProblems({ ...order, releasedNodeCount: 9 })).toEqual([expect.stringContaining('releasedNodeCount 9')]);
  });
});

describe('hostile inputs', () => {
  const expected: Record<string, string> = {
    'garbage bytes': 'BAD_MAGIC',
    'bad CRC': 'BAD_CHECKSUM',
    'oversize length': 'FRAME_TOO_LONG',
    'unknown type': 'UNKNOWN_TYPE',
    'unknown optional type': 'UNKNOWN_OPTIONAL_TYPE',
  };
  for (const input of hostileInputs()) {
    it(`${input.name} breaks its rule and leaves the next frame readable`, () => {
      const ping = encodeFrame({ kind: 'heartbeat', role: 'ping', origin: 'platform', echoSeq: 0 }, { seq: 42, timestamp: 0 });
      const events = new FrameDecoder().push(Uint8Array.from([...input.bytes, ...ping]));
      const errors = events.flatMap((e) => (e.ok ? [] : [e.error.code]));
      expect(errors[0]).toBe(expected[input.name]);
      expect(events.at(-1)).toMatchObject({ ok: true, frame: { seq: 42 } });
    });
  }
});
