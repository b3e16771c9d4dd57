// Small helpers for mapping SQLite rows.

export function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** A constraint (unique key, primary key) refused the write. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && String((err as { code: unknown }).code).startsWith('SQLITE_CONSTRAINT');
}
