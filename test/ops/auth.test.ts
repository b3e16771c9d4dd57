import { afterEach, describe, expect, it } from 'vitest';
import { ROLES, roleAllows, type Role } from '../../src/rcs/auth/index.ts';
import { bearer, PASSWORDS, startHarness, type Harness } from './harness.ts';

let h: Harness;
afterEach(async () => h?.close());

describe('dashboard auth and roles', () => {
  it('logs in with a cookie session and enforces roles on task writes', async () => {
    h = await startHarness();
    const wrong = await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'viewer', password: 'nope-nope' } });
    expect(wrong.statusCode).toBe(401);
    const unknown = await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'ghost', password: 'whatever1' } });
    expect(unknown.statusCode).toBe(401);
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'viewer' } })).statusCode).toBe(400);

    const login = await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'viewer', password: PASSWORDS.viewer } });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/unifleet_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
    const sessionCookie = cookie.split(';')[0]!;
    const me = await h.app.inject({ url: '/api/v1/session', headers: { cookie: sessionCookie } });
    expect(me.json().user).toMatchObject({ username: 'viewer', role: 'viewer' });

    const task = { from: 'S-top-0', to: 'S-bottom-3' };
    const viewerCreate = await h.app.inject({ method: 'POST', url: '/api/v1/dashboard/tasks', headers: { cookie: sessionCookie }, payload: task });
    expect(viewerCreate.statusCode).toBe(403);
    expect(viewerCreate.json().error.code).toBe('forbidden');
    expect([...h.fleet.tasks()]).toHaveLength(0);

    const operator = await h.token('operator');
    const created = await h.app.inject({ method: 'POST', url: '/api/v1/dashboard/tasks', headers: bearer(operator), payload: task });
    expect(created.statusCode).toBe(201);
    const id = created.json().task.id as string;
    const viewerCancel = await h.app.inject({ method: 'POST', url: `/api/v1/dashboard/tasks/${id}/cancel`, headers: { cookie: sessionCookie } });
    expect(viewerCancel.statusCode).toBe(403);
    const cancelled = await h.app.inject({ method: 'POST', url: `/api/v1/dashboard/tasks/${id}/cancel`, headers: bearer(operator) });
    expect(cancelled.json().task.state).toBe('cancelled');
    expect((await h.app.inject({ method: 'POST', url: `/api/v1/dashboard/tasks/${id}/cancel`, headers: bearer(operator) })).statusCode).toBe(409);
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/dashboard/tasks/T404/cancel', headers: bearer(operator) })).statusCode).toBe(404);
    const badPlace = await h.app.inject({ method: 'POST', url: '/api/v1/dashboard/tasks', headers: bearer(operator), payload: { from: 'Mars', to: 'S-top-0' } });
    expect(badPlace.statusCode).toBe(400);
    expect(badPlace.json().error.message).toContain('Mars');

    const logout = await h.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie: sessionCookie } });
    expect(logout.statusCode).toBe(200);
    expect((await h.app.inject({ url: '/api/v1/session', headers: { cookie: sessionCookie } })).statusCode).toBe(401);
  });

  it('lets only admins manage users and throttles password guessing', async () => {
    h = await startHarness();
    const admin = await h.token('admin');
    const operator = await h.token('operator');
    expect((await h.app.inject({ url: '/api/v1/users', headers: bearer(operator) })).statusCode).toBe(403);
    const created = await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(admin), payload: { username: 'night-shift', password: 'long-enough-pw', role: 'operator' } });
    expect(created.statusCode).toBe(201);
    const dup = await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(admin), payload: { username: 'night-shift', password: 'long-enough-pw', role: 'operator' } });
    expect(dup.statusCode).toBe(409);
    const weak = await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(admin), payload: { username: 'weak', password: 'short', role: 'viewer' } });
    expect(weak.statusCode).toBe(400);
    const badRole = await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(admin), payload: { username: 'x', password: 'long-enough-pw', role: 'god' } });
    expect(badRole.statusCode).toBe(400);
    const users = (await h.app.inject({ url: '/api/v1/users', headers: bearer(admin) })).json().users as { username: string }[];
    expect(users.map((u) => u.username)).toEqual(['admin', 'night-shift', 'operator', 'viewer']);
    // Password hashes are scrypt, never the password.
    const stored = (await h.store.users.get('night-shift'))!;
    expect(stored.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored.passwordHash).not.toContain('long-enough-pw');

    for (let i = 0; i < 5; i++) {
      await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'night-shift', password: `guess-${i}-xx` } });
    }
    const blocked = await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'night-shift', password: 'long-enough-pw' } });
    expect(blocked.statusCode).toBe(429);
    h.clock.advance(61_000);
    const allowed = await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'night-shift', password: 'long-enough-pw' } });
    expect(allowed.statusCode).toBe(200);
  });

  it('lets a dashboard user and an API key with the same role do exactly the same', async () => {
    h = await startHarness();
    // One route per kind of access, from the upper-system API and from operations.
    const routes: { method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: object; needs: Role }[] = [
      { method: 'GET', url: '/api/v1/tasks', needs: 'viewer' },
      { method: 'GET', url: '/api/v1/alarms', needs: 'viewer' },
      { method: 'GET', url: '/api/v1/events', needs: 'viewer' },
      { method: 'POST', url: '/api/v1/tasks', payload: { pick: 'PICK-01', drop: 'DROP-01' }, needs: 'operator' },
      { method: 'POST', url: '/api/v1/dashboard/tasks', payload: { from: 'S-top-0', to: 'S-bottom-3' }, needs: 'operator' },
      { method: 'POST', url: '/api/v1/health/runs', needs: 'operator' },
      { method: 'GET', url: '/api/v1/webhooks', needs: 'operator' },
      { method: 'GET', url: '/api/v1/users', needs: 'admin' },
      { method: 'PATCH', url: '/api/v1/alarm-thresholds', payload: { lowBatteryPct: 25 }, needs: 'admin' },
    ];
    const status = async (route: (typeof routes)[number], headers: Record<string, string>): Promise<number> =>
      (await h.app.inject({ method: route.method, url: route.url, payload: route.payload, headers })).statusCode;
    const outcome = async (route: (typeof routes)[number], headers: Record<string, string>): Promise<string> => {
      const code = await status(route, headers);
      return code === 403 ? 'refused' : code < 400 ? 'allowed' : `failed with ${code}`;
    };
    for (const role of ROLES) {
      const key = (await h.auth.issue(`${role} script`, role)).token;
      const user = bearer(await h.token(role));
      for (const route of routes) {
        const expected = roleAllows(role, route.needs) ? 'allowed' : 'refused';
        const seen = { key: await outcome(route, { 'x-api-key': key }), user: await outcome(route, user) };
        expect(seen, `${route.method} ${route.url} as ${role}`).toEqual({ key: expected, user: expected });
      }
    }
    for (const route of routes) expect(await status(route, {}), `${route.method} ${route.url} anonymously`).toBe(401);
  });
});
