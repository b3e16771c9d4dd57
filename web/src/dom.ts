// Tiny DOM helpers: the dashboard needs no framework, but building elements by hand should not be noisy.

type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | null | undefined | false)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, '').toLowerCase(), v);
    else if (k === 'class') el.className = String(v);
    else if (k in el && k !== 'list') (el as unknown as Record<string, unknown>)[k] = v;
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function clear(el: Element): void {
  el.replaceChildren();
}

export const escapeText = (s: string): string => s.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);

export function time(ms: number | null): string {
  if (!ms) return '–';
  const d = new Date(ms);
  return d.toLocaleTimeString([], { hour12: false }) + (Date.now() - ms > 86_400_000 ? ` ${d.toLocaleDateString()}` : '');
}

export function sevBadge(sev: string): HTMLElement {
  return h('span', { class: `sev sev-${sev}` }, sev);
}

/** Stable colour per vendor, so the same vendor looks the same on every screen. */
export function vendorColour(vendor: string): string {
  let hash = 0;
  for (const ch of vendor) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const palette = ['#3fa7ff', '#ff9f43', '#a66bff', '#2ed1b2', '#ff6b9a', '#c8d64b', '#5ad1ff', '#ffcf5c'];
  return palette[hash % palette.length]!;
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;
export function toast(message: string): void {
  let el = document.querySelector<HTMLElement>('.toast');
  if (!el) {
    el = h('div', { class: 'toast', 'data-testid': 'toast' });
    document.body.append(el);
  }
  el.textContent = message;
  el.style.display = 'block';
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.style.display = 'none'), 5000);
}
