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
