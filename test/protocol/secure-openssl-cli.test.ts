// Cross-check with the default user ID against OpenSSL's own SM2 (the `openssl` command line, which, unlike
// node:crypto, can set the distinguishing ID). Skipped where no openssl binary is installed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSm2KeyPair, keyPairFromPem, privateKeyToPem, publicKeyFromPem, publicKeyToPem, sm2Sign, sm2Verify, SM2_DEFAULT_USER_ID } from '../../src/protocol/secure/index.ts';

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'unifleet-sm2-'));
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const distid = ['-pkeyopt', `distid:${SM2_DEFAULT_USER_ID}`];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function derToRaw(der: Uint8Array): Uint8Array {
  const out = new Uint8Array(64);
  let offset = 2;
  for (let part = 0; part < 2; part++) {
    const length = der[offset + 1]!;
    let value = der.subarray(offset + 2, offset + 2 + length);
    if (value.length > 32) value = value.subarray(value.length - 32);
    out.set(value, part * 32 + 32 - value.length);
    offset += 2 + length;
  }
  return out;
}

function rawToDer(raw: Uint8Array): Uint8Array {
  const integer = (part: Uint8Array) => {
    let i = 0;
    while (i < 31 && part[i] === 0) i++;
    const body = part[i]! & 0x80 ? [0, ...part.subarray(i)] : [...part.subarray(i)];
    return [0x02, body.length, ...body];
  };
  const body = [...integer(raw.subarray(0, 32)), ...integer(raw.subarray(32))];
  return Uint8Array.from([0x30, body.length, ...body]);
}

describe.skipIf(!opensslAvailable())('SM2 against the openssl command line, default user ID', () => {
  it('OpenSSL-generated keys load, and OpenSSL signatures verify with our code', () => {
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', file('key.pem'));
    openssl('pkey', '-in', file('key.pem'), '-pubout', '-out', file('pub.pem'));
    const pair = keyPairFromPem(readFileSync(file('key.pem'), 'utf8'));
    expect(publicKeyFromPem(readFileSync(file('pub.pem'), 'utf8'))).toEqual(pair.publicKey);
    openssl('ec', '-in', file('key.pem'), '-out', file('sec1.pem')); // OpenSSL labels it "SM2 PRIVATE KEY"
    expect(keyPairFromPem(readFileSync(file('sec1.pem'), 'utf8'))).toEqual(pair);
    const message = Uint8Array.from(Buffer.from('status frame from an OpenSSL-based AGV'));
    writeFileSync(file('msg.bin'), message);
    openssl('pkeyutl', '-sign', '-rawin', '-digest', 'sm3', '-in', file('msg.bin'), '-inkey', file('key.pem'), '-out', file('sig.der'), ...distid);
    const signature = derToRaw(readFileSync(file('sig.der')));
    expect(sm2Verify(pair.publicKey, message, signature)).toBe(true);
    expect(sm2Verify(pair.publicKey, message, signature, { userId: 'another ID' })).toBe(false);
  });

  it('our signatures verify with OpenSSL, given our PEM keys', () => {
    const pair = generateSm2KeyPair();
    writeFileSync(file('our-key.pem'), privateKeyToPem(pair));
    writeFileSync(file('our-pub.pem'), publicKeyToPem(pair.publicKey));
    const message = Uint8Array.from(Buffer.from('motion command from the platform'));
    writeFileSync(file('msg2.bin'), message);
    writeFileSync(file('sig2.der'), rawToDer(sm2Sign(pair, message)));
    const verifyArgs = ['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', file('our-pub.pem'), '-in', file('msg2.bin'), '-sigfile', file('sig2.der'), ...distid];
    expect(openssl(...verifyArgs)).toMatch(/Signature Verified Successfully/);
    // The private key PEM we write is readable by OpenSSL too.
    expect(openssl('pkey', '-in', file('our-key.pem'), '-noout', '-text')).toMatch(/SM2/);
  });
});
