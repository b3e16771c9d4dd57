// SM4 (GB/T 32907) comes from Node's OpenSSL. Frames use CTR (a stream mode: no padding, ciphertext
// length = plaintext length, and a random IV per frame); ECB/CBC are exposed for standard vectors and interop.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { SecureChannelError } from './errors.ts';

export const SM4_KEY_LENGTH = 16;
export const SM4_BLOCK_LENGTH = 16;

function checkKey(key: Uint8Array): void {
  if (key.length !== SM4_KEY_LENGTH) throw new SecureChannelError('INVALID_KEY', `SM4 key must be 16 bytes, got ${key.length}`);
}

function checkIv(iv: Uint8Array): void {
  if (iv.length !== SM4_BLOCK_LENGTH) throw new SecureChannelError('INVALID_ARGUMENT', `SM4 IV must be 16 bytes, got ${iv.length}`);
}

function run(cipher: { update(d: Uint8Array): Buffer; final(): Buffer }, data: Uint8Array): Uint8Array {
  const head = cipher.update(data);
  const tail = cipher.final();
  const out = tail.length === 0 ? head : Buffer.concat([head, tail]);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** SM4-CTR: the 16-byte IV is the initial counter block, incremented as a 128-bit big-endian integer. */
export function sm4Ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  checkKey(key);
  checkIv(iv);
  return run(createCipheriv('sm4-ctr', key, iv), data);
}

/** Raw SM4 on whole blocks without padding (used for the standard's single-block vectors). */
export function sm4EcbEncrypt(key: Uint8Array, blocks: Uint8Array): Uint8Array {
  return ecb(key, blocks, true);
}

export function sm4EcbDecrypt(key: Uint8Array, blocks: Uint8Array): Uint8Array {
  return ecb(key, blocks, false);
}

function ecb(key: Uint8Array, blocks: Uint8Array, encrypt: boolean): Uint8Array {
  checkKey(key);
  if (blocks.length % SM4_BLOCK_LENGTH !== 0) {
    throw new SecureChannelError('INVALID_ARGUMENT', `SM4-ECB input must be whole 16-byte blocks, got ${blocks.length} bytes`);
  }
  const cipher = encrypt ? createCipheriv('sm4-ecb', key, null) : createDecipheriv('sm4-ecb', key, null);
  cipher.setAutoPadding(false);
  return run(cipher, blocks);
}

/** SM4-CBC with PKCS#7 padding, for interoperability with peers that only offer CBC. */
export function sm4CbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  checkKey(key);
  checkIv(iv);
  return run(createCipheriv('sm4-cbc', key, iv), data);
}

export function sm4CbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  checkKey(key);
  checkIv(iv);
  try {
    return run(createDecipheriv('sm4-cbc', key, iv), data);
  } catch (error) {
    throw new SecureChannelError('DECRYPT_FAILED', `SM4-CBC: ${(error as Error).message}`);
  }
}
