import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accessProof, accessProofMatches, enrolmentSecretKey, toHex } from '../../src/protocol/index.ts';
import { EXAMPLE_ENROLMENT_SECRET, EXAMPLE_MESSAGES } from '../../src/protocol/examples.ts';

// The enrolment-secret proof (§6, "Enrolment secret"): the known answer printed in the spec, and what it binds.
const SPEC = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
const KEY = '630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd';
const PROOF = '017b4091e102c49f3442fd070a93866a0373b416840564d7f37a40397900ee64';

describe('access proof', () => {
  it('matches the known answer in the spec and the example accessRequest', () => {
    const key = enrolmentSecretKey(EXAMPLE_ENROLMENT_SECRET);
    expect(toHex(key)).toBe(KEY);
    expect(toHex(accessProof(key, 'AGV-017', 1764018000000))).toBe(PROOF);
    expect(toHex(EXAMPLE_MESSAGES.accessRequest.proof!)).toBe(PROOF);
    expect(SPEC).toContain(`K = ${KEY}`);
    expect(SPEC).toContain(`proof = ${PROOF}`);
  });

  it('binds the AGV id and the time', () => {
    const key = enrolmentSecretKey(EXAMPLE_ENROLMENT_SECRET);
    const proof = accessProof(key, 'AGV-017', 1764018000000);
    expect(accessProofMatches(key, 'AGV-017', 1764018000000, proof)).toBe(true);
    expect(accessProofMatches(key, 'AGV-018', 1764018000000, proof)).toBe(false);
    expect(accessProofMatches(key, 'AGV-017', 1764018000001, proof)).toBe(false);
    expect(accessProofMatches(key, 'AGV-017', 1764018000000, proof.subarray(0, 31))).toBe(false);
  });
});
