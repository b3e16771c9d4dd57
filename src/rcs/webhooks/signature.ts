// Receivers verify `X-UniFleet-Signature: sha256=<hex>` = HMAC-SHA256(secret, `${timestamp}.${body}`), where the
// timestamp (Unix seconds) is in `X-UniFleet-Timestamp`. Binding the timestamp lets receivers reject replays.

import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-unifleet-signature';
export const TIMESTAMP_HEADER = 'x-unifleet-timestamp';
export const EVENT_HEADER = 'x-unifleet-event';
export const DELIVERY_HEADER = 'x-unifleet-delivery';

export function sign(secret: string, timestampSeconds: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/** Receiver-side check (also used by our tests): right signature and a timestamp within toleranceSeconds of now. */
export function verifySignature(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (!headers.signature || !headers.timestamp || !/^\d+$/.test(headers.timestamp)) return false;
  const ts = Number(headers.timestamp);
  if (Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, ts, body));
  const actual = Buffer.from(headers.signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
