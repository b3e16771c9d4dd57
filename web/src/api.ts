import type { SessionUser } from './types.ts';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** JSON call to the platform; the session cookie goes along automatically (same origin). */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await res.text();
  const data = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!res.ok) {
    // The platform's error shape is { error: { code, message } }; fastify's own is { error, message }.
    const err = data.error;
    const detail = typeof err === 'object' && err !== null ? (err as { code?: string; message?: string }) : { code: String(err ?? res.status), message: String(data.message ?? res.statusText) };
    throw new ApiError(res.status, detail.code ?? String(res.status), detail.message ?? res.statusText);
  }
  return data as T;
}

export async function currentUser(): Promise<SessionUser | null> {
  try {
    return (await api<{ user: SessionUser }>('GET', '/api/v1/session')).user;
  } catch {
    return null;
  }
}

export const canOperate = (user: SessionUser): boolean => user.role === 'operator' || user.role === 'admin';
