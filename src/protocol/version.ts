// Version negotiation: the AGV offers versionMin…versionMax in accessRequest; the platform picks the highest
// version both speak. Versions are major << 4 | minor; within a major, minors are backward compatible (§5).
import { ERROR_CODES, type ProtocolError } from './errors.ts';
import { PROTOCOL_VERSION, versionMajor, versionMinor } from './header.ts';
import type { MessageOfKind } from './catalogue.ts';

/**
 * Versions this implementation speaks: 1.1 adds the map hash at registration (§6, "Numbering"); 1.2 adds leases
 * the AGV renews, lease ends and blockage reports to autonomous space (§6, "Autonomous space").
 */
export const SUPPORTED_VERSIONS: readonly number[] = [0x10, 0x11, PROTOCOL_VERSION];

/** Highest version in [offeredMin, offeredMax] that we support, or undefined when there is none. */
export function negotiateVersion(offeredMin: number, offeredMax: number, supported: readonly number[] = SUPPORTED_VERSIONS): number | undefined {
  let best: number | undefined;
  for (const v of supported) if (v >= offeredMin && v <= offeredMax && (best === undefined || v > best)) best = v;
  if (best !== undefined) return best;
  // A peer offering a newer minor of a major we speak can still talk to us at our minor (minors are compatible).
  for (const v of supported) {
    if (versionMajor(v) === versionMajor(offeredMin) && versionMinor(v) < versionMinor(offeredMin) && versionMajor(offeredMin) === versionMajor(offeredMax)) {
      if (best === undefined || v > best) best = v;
    }
  }
  return best;
}

/** "1.0" for 0x10. */
export function formatVersion(version: number): string {
  return `${versionMajor(version)}.${versionMinor(version)}`;
}

/** The nack that answers a rejected frame (seq/type from the error when the header was readable). */
export function nackFor(error: ProtocolError, detail: string = error.message): MessageOfKind<'nack'> {
  return {
    kind: 'nack',
    ackedSeq: error.seq ?? 0,
    ackedType: error.msgType ?? 0,
    errorCode: ERROR_CODES[error.code] === undefined ? 'INTERNAL' : error.code,
    detail: truncateUtf8(detail, 255),
  };
}

/** Cuts text to at most maxBytes of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  let out = text.slice(0, maxBytes);
  while (encoder.encode(out).length > maxBytes) out = out.slice(0, -1);
  return out;
}
