// API keys for upper systems. A token is `uf_<keyId>_<secret>`; only sha256(secret) is stored.
// sha256 rather than scrypt: the secret is 32 random bytes (256 bits), so guessing it is infeasible however fast the
// hash is; a deliberately slow hash only protects low-entropy passwords and would cost tens of ms of CPU per request.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import type { ApiKeyRecord, ApiKeyRepository, SettingsRepository } from '../store/types.ts';
import type { Principal, Role } from './roles.ts';

const TOKEN_PATTERN = /^uf_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface IssuedKey {
  record: Omit<ApiKeyRecord, 'hash'>;
  /** Shown once; not recoverable from the store. */
  token: string;
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export class ApiKeyAuth {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly clock: Clock,
  ) {}

  async issue(name: string, role: Role): Promise<IssuedKey> {
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const record: ApiKeyRecord = { id, name, role, hash: hashSecret(secret), createdAt: this.clock.now(), revokedAt: null };
    await this.keys.create(record);
    const { hash: _hash, ...visible } = record;
    return { record: visible, token: `uf_${id}_${secret}` };
  }

  /** The principal for a token, or undefined when it is malformed, unknown or revoked. */
  async verify(token: string): Promise<Principal | undefined> {
    const match = TOKEN_PATTERN.exec(token);
    if (!match) return undefined;
    const record = await this.keys.byId(match[1]!);
    if (!record || record.revokedAt !== null) return undefined;
    const expected = Buffer.from(record.hash, 'hex');
    const actual = Buffer.from(hashSecret(match[2]!), 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    return { kind: 'api-key', id: record.id, name: record.name, role: record.role };
  }

  revoke(id: string): Promise<boolean> {
    return this.keys.revoke(id, this.clock.now());
  }
}

const DEMO_KEY_SETTING = 'demo_operator_api_key';

/**
 * The demo operator key, created at first start. Its token is kept in the settings table so the demo can print it
 * on every start; that convenience is why production configurations switch the demo key off and issue keys instead.
 */
export async function ensureDemoKey(auth: ApiKeyAuth, settings: SettingsRepository): Promise<string> {
  const existing = await settings.get(DEMO_KEY_SETTING);
  if (existing !== undefined && (await auth.verify(existing))) return existing;
  const { token } = await auth.issue('demo operator', 'operator');
  await settings.set(DEMO_KEY_SETTING, token);
  return token;
}
