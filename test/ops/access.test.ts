import { afterEach, describe, expect, it } from 'vitest';
import { agvLabel, MAX_LABEL_CHARS } from '../../src/rcs/ops/metrics/label.ts';
import { PASSWORDS, bearer, startHarness, type Harness } from './harness.ts';

// Who may reach what: login lockout per user and source address, optional auth for /metrics and the API description,
// and AGV-supplied strings made harmless before they become metric labels.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const login = (app: Harness['app'], password: string, ip: string) =>
  app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'operator', password }, remoteAddress: ip });

describe('login lockout', () => {
  it('locks a user out only from the guessing address, with a doubling wait', async () => {
    h = await startHarness();
    const attacker = '203.0.113.9';
    for (let i = 0; i < 5; i++) expect((await login(h.app, `guess-${i}`, attacker)).statusCode).toBe(401);
    const locked = await login(h.app, PASSWORDS.operator, attacker);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('too_many_attempts');
    expect(Number(locked.headers['retry-after'])).toBe(60);
    // The real user, elsewhere, is not locked out.
    expect((await login(h.app, PASSWORDS.operator, '10.0.0.5')).statusCode).toBe(200);

    h.clock.advance(61_000);
    for (let i = 0; i < 5; i++) expect((await login(h.app, `again-${i}`, attacker)).statusCode).toBe(401);
    const second = await login(h.app, PASSWORDS.operator, attacker);
    expect(second.statusCode).toBe(429);
    expect(Number(second.headers['retry-after'])).toBe(120);
    h.clock.advance(61_000);
    expect((await login(h.app, PASSWORDS.operator, attacker)).statusCode).toBe(429);
    h.clock.advance(60_000);
    expect((await login(h.app, PASSWORDS.operator, attacker)).statusCode).toBe(200);
  });
});

describe('optional auth for /metrics and /openapi.json', () => {
  it('serves both openly by default', async () => {
    h = await startHarness();
    expect((await h.app.inject({ url: '/metrics' })).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/openapi.json' })).statusCode).toBe(200);
  });

  it('asks for role viewer when turned on', async () => {
    h = await startHarness({ protect: { metrics: true, openapi: true } });
    for (const url of ['/metrics', '/openapi.json', '/docs/json']) {
      const anonymous = await h.app.inject({ url });
      expect(anonymous.statusCode, url).toBe(401);
      expect(anonymous.json().error.code).toBe('unauthorized');
    }
    const viewer = bearer(await h.token('viewer'));
    expect((await h.app.inject({ url: '/metrics', headers: viewer })).body).toContain('unifleet_agvs_connected');
    expect((await h.app.inject({ url: '/openapi.json', headers: viewer })).json().openapi).toBe('3.0.3');
    expect((await h.app.inject({ url: '/docs/json', headers: viewer })).statusCode).toBe(200);
  });
});

describe('AGV-supplied metric labels', () => {
  it('strips control characters and markup and caps the length', () => {
    expect(agvLabel('acme\u0000\u001b[31m<script>alert(1)</script>\n')).toBe('acme[31m_script_alert(1)_/script_');
    expect(agvLabel('Nord\u200blift  AB')).toBe('Nordlift AB');
    expect(agvLabel('\u0007\u0008')).toBe('unknown');
    expect([...agvLabel('x'.repeat(500))]).toHaveLength(MAX_LABEL_CHARS);
    expect(agvLabel('海康机器人')).toBe('海康机器人');
  });

  it('never puts a raw vendor string into /metrics', async () => {
    h = await startHarness({ agvs: 1, prepare: (fleet) => {
      for (const agv of fleet.agvs()) (agv as { vendor: string }).vendor = '<img src=x onerror=alert(1)>\u0001evil' + 'y'.repeat(200);
    } });
    const text = (await h.app.inject({ url: '/metrics' })).body;
    const line = text.split('\n').find((l) => l.startsWith('unifleet_agvs_known{'))!;
    expect(line).toContain('vendor="_img src=x onerror=alert(1)_evil');
    expect(line).not.toMatch(/[<>]/);
    expect(line).not.toContain(String.fromCharCode(1));
    expect(line.length).toBeLessThan(120);
  });
});
