// The validator's bookkeeping: typed reads of untrusted JSON that record an issue (with its JSON path) instead of
// throwing, so one pass reports every problem.

import type { SiteMapIssue } from './errors.ts';

export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export type Json = Record<string, unknown>;

export class Checker {
  readonly issues: SiteMapIssue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  object(value: unknown, path: string): Json | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
    this.add(path, 'must be an object');
    return undefined;
  }

  array(value: unknown, path: string, optional = false): unknown[] {
    if (value === undefined && optional) return [];
    if (Array.isArray(value)) return value;
    this.add(path, 'must be an array');
    return [];
  }

  id(value: unknown, path: string): string | undefined {
    if (typeof value === 'string' && ID_PATTERN.test(value)) return value;
    this.add(path, 'must be an id: 1–64 characters of letters, digits, _ . : -');
    return undefined;
  }

  text(value: unknown, path: string): string | undefined {
    if (typeof value === 'string' && value.length > 0 && value.length <= 200) return value;
    this.add(path, 'must be a non-empty string of at most 200 characters');
    return undefined;
  }

  finite(value: unknown, path: string, opts: { optional?: boolean; positive?: boolean; nonNegative?: boolean; integer?: boolean } = {}): number | undefined {
    if (value === undefined && opts.optional) return undefined;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!opts.positive || value > 0) &&
      (!opts.nonNegative || value >= 0) &&
      (!opts.integer || Number.isInteger(value));
    if (ok) return value;
    const what = [opts.positive ? 'positive' : opts.nonNegative ? 'non-negative' : '', opts.integer ? 'integer' : 'finite number'].filter(Boolean).join(' ');
    this.add(path, `must be a ${what}`);
    return undefined;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'boolean') return value;
    this.add(path, 'must be a boolean');
    return undefined;
  }

  oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T | undefined {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.add(path, `must be one of ${allowed.join(', ')}`);
    return undefined;
  }

  unique(ids: Map<string, string>, id: string | undefined, path: string, what: string): void {
    if (id === undefined) return;
    const first = ids.get(id);
    if (first !== undefined) this.add(path, `duplicate ${what} id '${id}' (first at ${first})`);
    else ids.set(id, path);
  }
}
