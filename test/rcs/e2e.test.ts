import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { PlatformConfig } from '../../src/rcs/config.ts';
import { TERMINAL_STATES } from '../../src/rcs/tasks/types.ts';
import { explainOpenTasks, startFleet, submitTask, taskPairs, waitFor, type Fleet } from './e2e-harness.ts';
import { dropSchemas, PG_URL, postgresReachable } from './postgres.ts';

// The same run on both stores: embedded SQLite, and PostgreSQL (every table, in a schema of its own that is dropped
// afterwards) when one is reachable.
const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));
const backends: { name: string; available: boolean; store: () => Partial<PlatformConfig> }[] = [
  { name: 'SQLite', available: true, store: () => ({ dbPath: ':memory:' }) },
  {
    name: 'PostgreSQL',
    available: await postgresReachable(),
    store: () => {
      const schema = `uf_e2e_${randomBytes(6).toString('hex')}`;
      schemas.push(schema);
      return { dbUrl: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}` };
    },
  },
];

describe.each(backends)('platform end to end on $name (real TCP, HTTP and store; accelerated time)', ({ name, available, store }) => {
  let fleet: Fleet | undefined;
  afterEach(async () => {
    fleet?.sim.stop();
    await fleet?.platform.stop();
    fleet = undefined;
  });

  it.skipIf(!available)(`20 AGVs of 3 vendors complete 50 tasks submitted through the HTTP API, never sharing a node (${name})`, async () => {
    fleet = await startFleet(20, store());
    const { platform, checker } = fleet;
    await waitFor('20 AGVs online', () => platform.registry.onlineCount() === 20);
    expect(new Set(platform.registry.list().map((a) => a.vendor)).size).toBe(3);

    const ids: string[] = [];
    for (const [i, pair] of taskPairs(platform.site, 50).entries()) {
      const { status, json } = await submitTask(platform.apiUrl, platform.demoApiKey!, { ...pair, priority: i % 10 }, `e2e-${i}`);
      expect(status).toBe(201);
      ids.push(json.id as string);
    }
    expect(new Set(ids).size).toBe(50);

    await waitFor(
      'all 50 tasks completed',
      async () => {
        const page = await platform.tasks.list({ limit: 500 });
        return page.items.filter((t) => t.state === 'completed').length === 50;
      },
      100_000,
      () => explainOpenTasks(platform),
    );

    const page = await platform.tasks.list({ limit: 500 });
    expect(page.items).toHaveLength(50);
    for (const task of page.items) {
      const full = (await platform.tasks.get(task.id))!;
      const path = full.history.map((h) => h.to);
      expect(path.at(-1)).toBe('completed');
      expect(path.filter((s) => TERMINAL_STATES.has(s))).toEqual(['completed']);
      expect(path).toContain('picking');
      expect(path).toContain('dropping');
    }
    const vendorsUsed = new Set(page.items.map((t) => platform.registry.get(t.agvId!)!.vendor));
    expect(vendorsUsed.size).toBe(3);
    expect(checker.reports).toBeGreaterThan(500);
    expect(checker.violations).toEqual([]);
  });
});
