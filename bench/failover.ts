// `npm run bench:failover`: site failover on PostgreSQL, measured end to end with real processes.
//
// Two platform processes (`src/main.ts --leader-election`) for the demo warehouse share one fresh PostgreSQL
// database; a simulated fleet (child process, real TCP) knows both as its endpoint list; tasks are created through
// the leader's HTTP API at a steady rate (each with an idempotency key; a create that fails is repeated at the other
// instance with the same key). While tasks flow the leader is killed with SIGKILL. Printed, one JSON line:
//   takeover_s        kill → the standby's /readyz answers 200 (it leads and serves AGVs)
//   agvs_back_s       kill → every simulated AGV has an active session again (at the survivor)
//   tasks_created     creates acknowledged (201 or 200), i.e. the load applied
//   tasks_lost        acknowledged tasks missing from the store or not completed by the end of the drain
//   tasks_duplicated  extra task rows for one create, plus tasks that completed (or failed) more than once
//   violations        the fleet child's independent check (bench/failover-sim-child.ts)
//   bodies            the simulated fleet's vehicle models and sizes: compact 0.9 m bodies only (COMPACT_PROFILES, as
//                     in the e2e failover tests), because the demo warehouse's 1 m lattice is laid out for them and
//                     the mixed vendor fleet (1.8 m forklifts) jams there, which is not what this bench measures
// Options: --agvs N (20), --tasks-per-s R (0.5), --before-s S (20: flow before the kill), --after-s S (20: flow after
// the takeover), --drain-s S (300: longest wait for the last tasks; real time, and a task crosses the demo warehouse in about a minute). Needs PostgreSQL at 127.0.0.1:5432
// ($UNIFLEET_BENCH_PG to change); the database it makes is dropped at the end.

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../src/core/index.ts';
import { ApiKeyAuth } from '../src/rcs/auth/index.ts';
import { DEMO_WAREHOUSE_PATH, readSiteMapFile } from '../src/rcs/site/index.ts';
import { openStoreFrom, type Store } from '../src/rcs/store/index.ts';
import { TERMINAL_STATES } from '../src/rcs/tasks/types.ts';
import { freePort } from './lib/free-port.ts';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

const AGVS = option('agvs', 20);
const TASKS_PER_S = option('tasks-per-s', 0.5);
const BEFORE_S = option('before-s', 20);
const AFTER_S = option('after-s', 20);
const DRAIN_S = option('drain-s', 300);
const PG = process.env.UNIFLEET_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = join(import.meta.dirname, '..');
const log = (message: string) => process.stderr.write(`[failover] ${message}\n`);

interface Instance {
  name: string;
  rcsPort: number;
  apiUrl: string;
  process: ChildProcess;
}

async function startInstance(name: string, dbUrl: string): Promise<Instance> {
  const [rcsPort, apiPort] = [await freePort(), await freePort()];
  const args = [
    '--import', 'tsx', join(ROOT, 'src/main.ts'),
    '--db-url', dbUrl, '--leader-election', '--map-path', DEMO_WAREHOUSE_PATH,
    '--rcs-host', '127.0.0.1', '--rcs-port', String(rcsPort), '--api-host', '127.0.0.1', '--api-port', String(apiPort),
    '--sim-agvs', '0', '--demo-tasks-per-min', '0', '--demo-key', 'false', '--auto-approve', '--webhooks', 'false',
    '--log-level', process.env.UNIFLEET_LOG_LEVEL ?? 'warn',
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return { name, rcsPort, apiUrl: `http://127.0.0.1:${apiPort}`, process: child };
}

/** The instance's /readyz status code, or 0 while it does not answer. */
async function readiness(instance: Instance): Promise<number> {
  try {
    return (await fetch(`${instance.apiUrl}/readyz`, { signal: AbortSignal.timeout(1_000) })).status;
  } catch {
    return 0;
  }
}

async function until(what: string, predicate: () => Promise<boolean>, timeoutS: number): Promise<void> {
  const started = Date.now();
  while (!(await predicate())) {
    if (Date.now() - started > timeoutS * 1000) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface FleetStatus {
  active: number;
  violations: number;
  firstViolations: string[];
  bodies: string[];
}

function fleetStatus(child: ChildProcess): Promise<FleetStatus> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      child.off('message', onMessage);
      resolve(m as FleetStatus);
    };
    child.on('message', onMessage);
    child.send('status');
  });
}

/** Creates tasks at a steady rate through whichever instance answers, repeating a failed create there with its key. */
class TaskFeeder {
  readonly acknowledged = new Set<string>();
  private next = 0;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly instances: Instance[],
    private readonly apiKey: string,
    private readonly pairs: { pick: string; drop: string }[],
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const key = `failover-${this.next++}`;
        void this.create(key, this.pairs[this.next % this.pairs.length]!);
        await sleep(1000 / TASKS_PER_S);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async create(key: string, pair: { pick: string; drop: string }): Promise<void> {
    for (let attempt = 0; attempt < 60; attempt++) {
      const instance = this.instances[attempt % this.instances.length]!;
      try {
        const res = await fetch(`${instance.apiUrl}/api/v1/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey, 'idempotency-key': key },
          body: JSON.stringify({ ...pair, externalRef: key }),
          signal: AbortSignal.timeout(3_000),
        });
        if (res.status === 201 || res.status === 200) {
          this.acknowledged.add(key);
          return;
        }
        if (res.status >= 400 && res.status < 500) throw new Error(`create refused: ${res.status} ${await res.text()}`);
      } catch (err) {
        if ((err as Error).message.startsWith('create refused')) throw err;
      }
      await sleep(250);
    }
    log(`task ${key} could not be created at any instance`);
  }
}

async function main(): Promise<void> {
  const database = `unifleet_bench_failover_${randomBytes(4).toString('hex')}`;
  const url = new URL(PG);
  url.pathname = `/${database}`;
  const dbUrl = url.toString();
  const site = await readSiteMapFile(DEMO_WAREHOUSE_PATH);
  const dir = mkdtempSync(join(tmpdir(), 'unifleet-failover-'));
  const instances: Instance[] = [];
  let fleet: ChildProcess | undefined;
  try {
    // The database (created on first open), its schema, and an operator key for the task feed.
    const setup = await openStoreFrom({ url: dbUrl });
    const apiKey = (await new ApiKeyAuth(setup.apiKeys, systemClock).issue('bench:failover', 'operator')).token;
    await setup.close();

    const leader = await startInstance('A', dbUrl);
    instances.push(leader);
    await until('instance A leading', async () => (await readiness(leader)) === 200, 120);
    const standby = await startInstance('B', dbUrl);
    instances.push(standby);
    await until('instance B standing by', async () => (await readiness(standby)) === 503, 120);
    log(`A leads (AGV port ${leader.rcsPort}), B stands by (AGV port ${standby.rcsPort})`);

    const mapPath = join(dir, 'map.json');
    writeFileSync(mapPath, JSON.stringify({ nodes: site.nodes, startNodes: [...site.parking.map((p) => p.node), ...site.chargers.map((c) => c.node)] }));
    fleet = fork(join(import.meta.dirname, 'failover-sim-child.ts'), [mapPath, String(AGVS), `127.0.0.1:${leader.rcsPort}`, `127.0.0.1:${standby.rcsPort}`], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const sims = fleet;
    await until('AGVs active at A', async () => (await fleetStatus(sims)).active === AGVS, 120);

    const picks = site.stations.filter((s) => s.kind !== 'drop');
    const drops = site.stations.filter((s) => s.kind !== 'pick');
    const pairs = Array.from({ length: 64 }, (_, i) => ({ pick: picks[(i * 7) % picks.length]!.id, drop: drops[(i * 3) % drops.length]!.id }));
    const feeder = new TaskFeeder([leader, standby], apiKey, pairs);
    feeder.start();
    await sleep(BEFORE_S * 1000);

    log(`SIGKILL to A after ${feeder.acknowledged.size} tasks`);
    const killedAt = Date.now();
    leader.process.kill('SIGKILL');
    await until('B leading', async () => (await readiness(standby)) === 200, 60);
    const takeoverS = (Date.now() - killedAt) / 1000;
    await until('AGVs back at B', async () => (await fleetStatus(sims)).active === AGVS, 120);
    const agvsBackS = (Date.now() - killedAt) / 1000;
    log(`B leads after ${takeoverS.toFixed(2)} s, all AGVs back after ${agvsBackS.toFixed(2)} s`);

    await sleep(AFTER_S * 1000);
    await feeder.stop();
    await sleep(3_000); // creates still in flight
    const created = [...feeder.acknowledged];
    log(`${created.length} tasks created; waiting up to ${DRAIN_S} s for them to finish`);

    const store = await openStoreFrom({ url: dbUrl });
    let lost = 0;
    let duplicated = 0;
    try {
      let lastReport = Date.now();
      const unfinished = async () => {
        const open = new Map<string, number>();
        for (const key of created) {
          const found = await store.tasks.byClientRequestId(key);
          if (found && !TERMINAL_STATES.has(found.task.state)) open.set(found.task.state, (open.get(found.task.state) ?? 0) + 1);
        }
        if (Date.now() - lastReport > 30_000) {
          lastReport = Date.now();
          log(`unfinished: ${[...open].map(([state, n]) => `${state} ${n}`).join(', ') || 'none'}`);
        }
        return [...open.values()].reduce((a, b) => a + b, 0);
      };
      await until('tasks finished', async () => (await unfinished()) === 0, DRAIN_S).catch((err: Error) => log(err.message));
      const rows = (await store.tasks.list({ limit: 10_000 })).items;
      for (const key of created) {
        const mine = rows.filter((t) => t.externalRef === key);
        duplicated += Math.max(0, mine.length - 1);
        const task = mine[0];
        if (!task || task.state !== 'completed') {
          lost++;
          log(`task ${key}: ${task ? `ended ${task.state}` : 'not in the store'}`);
        }
        for (const t of mine) {
          const endings = (await store.tasks.history(t.id)).filter((h) => TERMINAL_STATES.has(h.to)).length;
          duplicated += Math.max(0, endings - 1);
        }
      }
      if (lost > 0) await explainStuck(store);
    } finally {
      await store.close();
    }
    const safety = await fleetStatus(sims);
    if (safety.violations > 0) log(`violations, first ones: ${safety.firstViolations.join('; ')}`);
    const round2 = (n: number) => Math.round(n * 100) / 100;
    console.log(
      JSON.stringify({
        bench: 'failover',
        takeover_s: round2(takeoverS),
        agvs_back_s: round2(agvsBackS),
        tasks_created: created.length,
        tasks_lost: lost,
        tasks_duplicated: duplicated,
        violations: safety.violations,
        bodies: safety.bodies,
      }),
    );
  } finally {
    fleet?.send('stop');
    for (const i of instances) i.process.kill('SIGTERM');
    await sleep(1_500);
    for (const i of instances) if (i.process.exitCode === null) i.process.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    const admin = new URL(PG);
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch((err: Error) => log(`database ${database} not dropped: ${err.message}`));
    await client.end();
  }
}

/** What the survivor's event log says, for a run that left tasks unfinished. */
async function explainStuck(store: Store): Promise<void> {
  const counts = new Map<string, number>();
  const events = await store.events.query({ limit: 5_000 });
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  log(`event log: ${[...counts].map(([type, n]) => `${type} ${n}`).join(', ')}`);
  for (const e of events.filter((x) => x.severity === 'critical' || x.severity === 'error' || x.type.startsWith('recovery')).slice(0, 15)) log(`  ${e.type}: ${e.message}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
