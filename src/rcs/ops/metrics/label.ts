// Label values that come from AGVs (vendor names, models) are whatever a client sent at registration. Before they reach
// a scraper or a dashboard that renders them, they lose control and invisible characters and markup, and are capped.

export const MAX_LABEL_CHARS = 64;

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/gu;
const MARKUP = /[<>&"'`\\]/g;

/** A printable, bounded label value for an AGV-supplied string; 'unknown' when nothing printable is left. */
export function agvLabel(raw: string): string {
  const cleaned = raw.replace(INVISIBLE, '').replace(MARKUP, '_').replace(/\s+/g, ' ').trim();
  const capped = [...cleaned].slice(0, MAX_LABEL_CHARS).join('');
  return capped === '' ? 'unknown' : capped;
}
