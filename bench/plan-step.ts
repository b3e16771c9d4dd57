// npm run bench:plan-step [-- --agvs N[,N...]] [-- --seconds S] [-- --slice-ms M]
// Central traffic control's planning step alone, in virtual time, under the fleet benchmark's load (bench/fleet.ts:
// every AGV shuttles between the two nodes of its own pair on bench/lib/pair-grid.ts, a new hop every 2 s, each hop
// taking 1 s once granted; requests every 50 ms of virtual time, planning rounds every 100 ms). No sockets, no
// simulator: what one planning round costs at a fleet size, and which AGVs it grants (the same inputs give the same
// grants, so two versions of the controller can be compared: `grants` must match when decisions are unchanged).
// With --slice-ms M the controller runs time-sliced (sliceMs, as the platform does) and every 50 ms step waits for
// the round under way to end; `plan_slice_max_ms` is then the longest uninterrupted stretch.
//
// One JSON line per fleet size: rounds, grants, plan_cpu_ms (CPU time of the whole run: planning, requests and
// progress reports), plan_step_p50/p99_ms (wall time per round), plan_slice_max_ms. CPU time is the figure to
// compare on a shared machine: wall times grow with the machine's other load.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CentralTrafficController } from '../src/rcs/traffic/central/index.ts';
import { LatencyRecorder } from '../src/rcs/session/latency.ts';
import { pairGrid } from './lib/pair-grid.ts';

const { values } = parseArgs({
  options: {
    agvs: { type: 'string', default: '1000,2000,5000' },
    seconds: { type: 'string', default: '20' },
    'slice-ms': { type: 'string' },
  },
});
const sizes = values.agvs.split(',').map(Number);
const seconds = Number(values.seconds);
const sliceMs = values['slice-ms'] === undefined ? undefined : Number(values['slice-ms']);
if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--agvs takes positive whole numbers, comma-separated');
if (!(seconds > 0)) throw new Error('--seconds must be positive');
if (sliceMs !== undefined && !(sliceMs >= 0)) throw new Error('--slice-ms must be a non-negative number');

const round2 = (n: number | undefined) => (n === undefined ? null : Math.round(n * 100) / 100);

async function run(agvs: number): Promise<Record<string, unknown>> {
  const grid = pairGrid(agvs);
  const traffic = new CentralTrafficController(grid.site, { sliceMs });
  const ids = grid.startNodes.slice(0, agvs).map((node, i) => {
    const id = `A${i}`;
    if (!traffic.place(id, node)) throw new Error(`${id} could not be placed on ${node}`);
    return id;
  });
  const steps: number[] = [];
  let sliceMax = 0;
  let sliceCount = 0;
  traffic.observe({
    planStep: (ms) => steps.push(ms),
    planSlice: (ms) => {
      sliceMax = Math.max(sliceMax, ms);
      sliceCount++;
    },
  });
  // Seeded, so that two runs (and two versions) get the same requests.
  let seed = 42;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const due = ids.map(() => random() * 2000);
  const arriveAt = ids.map(() => -1);
  let grants = 0;
  const cpu0 = process.cpuUsage();
  for (let t = 0; t < seconds * 1000; t += 50) {
    traffic.tick(t);
    for (let i = 0; i < agvs; i++) {
      const id = ids[i]!;
      if (arriveAt[i]! >= 0 && t >= arriveAt[i]!) {
        const held = traffic.held(id);
        traffic.reportProgress(id, held[held.length - 1]!);
        traffic.stop(id);
        arriveAt[i] = -1;
        due[i] = t + 1000;
      }
      if (arriveAt[i]! >= 0 || t < due[i]!) continue;
      const here = traffic.held(id)[0]!;
      if (traffic.request(id, grid.partner.get(here)!, t).kind === 'go') {
        arriveAt[i] = t + 1000;
        grants++;
      }
    }
    // Let a round under way end: its slices run between event-loop turns, so a turn without a slice means none is.
    for (let before = -1; sliceMs !== undefined && before !== sliceCount; ) {
      before = sliceCount;
      await new Promise((r) => setImmediate(r));
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const recorder = new LatencyRecorder(Math.max(1, steps.length));
  for (const ms of steps) recorder.record('', ms);
  const [p50, p99] = recorder.percentiles([50, 99]);
  return {
    bench: 'plan-step',
    agvs,
    slice_ms: sliceMs ?? null,
    rounds: traffic.stats().rounds,
    grants,
    plan_cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
    plan_step_p50_ms: round2(p50),
    plan_step_p99_ms: round2(p99),
    plan_slice_max_ms: round2(sliceMax),
    load_avg_1m: round2(loadavg()[0]),
    virtual_s: seconds,
  };
}

for (const agvs of sizes) console.log(JSON.stringify(await run(agvs)));
