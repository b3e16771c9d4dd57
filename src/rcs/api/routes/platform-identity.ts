import type { FastifyInstance } from 'fastify';
import { formatVersion, sm3, SUPPORTED_VERSIONS } from '../../../protocol/index.ts';
import { PLATFORM_USER_ID } from '../../session/sm2-handshake.ts';
import { mapHashHex } from '../../session/site-export.ts';
import type { SiteNumbering } from '../../session/site-numbering.ts';

// What an AGV pins before it first connects in secure mode: the platform's SM2 public key, with the protocol
// versions and the map it serves. All of it is public, so it needs no key; the AGV must still get it over a
// channel it trusts (docs/protocol.md §12, "Pinning the platform key").

export interface PlatformIdentity {
  /** Uncompressed SM2 point (0x04 || X || Y), hex. */
  publicKey: string;
  /** SM3 of the 65 key bytes, hex: short enough to compare by eye or over the phone. */
  fingerprint: string;
  /** ID_B the platform uses in the key exchange. */
  userId: string;
  protocolVersions: string[];
  siteId: string;
  mapId: number;
  mapHash: number;
  mapHashHex: string;
}

export function platformIdentity(publicKey: Uint8Array, numbering: SiteNumbering): PlatformIdentity {
  return {
    publicKey: Buffer.from(publicKey).toString('hex'),
    fingerprint: Buffer.from(sm3(publicKey)).toString('hex'),
    userId: PLATFORM_USER_ID,
    protocolVersions: SUPPORTED_VERSIONS.map(formatVersion),
    siteId: numbering.site.id,
    mapId: numbering.mapNumber,
    mapHash: numbering.mapHash,
    mapHashHex: mapHashHex(numbering.mapHash),
  };
}

const identitySchema = {
  type: 'object',
  properties: {
    publicKey: { type: 'string' },
    fingerprint: { type: 'string' },
    userId: { type: 'string' },
    protocolVersions: { type: 'array', items: { type: 'string' } },
    siteId: { type: 'string' },
    mapId: { type: 'integer' },
    mapHash: { type: 'integer' },
    mapHashHex: { type: 'string' },
  },
};

export function platformIdentityRoutes(identity: PlatformIdentity) {
  return async (app: FastifyInstance) => {
    app.get(
      '/platform/identity',
      {
        schema: {
          tags: ['site'],
          summary: "The platform's SM2 public key (to pin on AGVs), protocol versions and map hash; no authentication",
          response: { 200: identitySchema },
        },
      },
      async () => identity,
    );
  };
}
