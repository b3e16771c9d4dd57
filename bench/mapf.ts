// One-shot MAPF benchmark: LaCAM(*) on the 10 MovingAI maps with their `random` scens, agent counts stepping
// up, a time limit per instance; one JSON line per instance and per map, then a summary line.
//
//   npm run bench:mapf                      quick: random-1, all counts (≈50 instances)
//   npm run bench:mapf -- --full            random-1..3 (150 instances, like the LaCAM3 anchor)
//   npm run bench:mapf -- --map F.map --scen F.scen --agents K
// Options: --time-limit S (10), --refine S (LNS refinement after the first solution, within the limit; quick 1, full 10),
//          --maps a,b  --scens 1,2  --counts 100,200  --seed N  --quiet (no per-instance lines)
//          --no-warmup (by default each child first solves a small synthetic instance so V8 has compiled the
//          planner, as it would have in the long-running platform; timings start after that)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MOVINGAI_MAPS, hasMapfData, mapPath, mapfDataDir, scenPath } from './lib/mapf-data.ts';
import type { InstanceRequest, InstanceResult } from './lib/mapf-run-instance.ts';

const COUNTS = [100, 200, 400, 600, 800, 1000];
const RUNNER = fileURLToPath(new URL('./lib/mapf-run-instance.ts', import.meta.url));

interface Args {
  full: boolean;
  timeLimitS: number;
  refineS: number;
  maps: string[];
  scens: number[];
  counts: number[];
  seed: number;
  quiet: boolean;
  warmup: boolean;
  single: { map: string; scen: string; agents: number } | null;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const full = argv.includes('--full');
  const list = (name: string): string[] | undefined => get(name)?.split(',').filter(Boolean);
  const map = get('map');
  const scen = get('scen');
  const agents = get('agents');
  if ((map || scen || agents) && !(map && scen && agents)) throw new Error('--map, --scen and --agents go together');
  const timeLimitS = Number(get('time-limit') ?? 10);
  if (!(timeLimitS > 0)) throw new Error('--time-limit must be a positive number of seconds');
  return {
    full,
    timeLimitS,
    refineS: Number(get('refine') ?? (full ? 10 : 1)),
    maps: list('maps') ?? [...MOVINGAI_MAPS],
    scens: (list('scens') ?? (full ? ['1', '2', '3'] : ['1'])).map(Number),
    counts: (list('counts') ?? COUNTS.map(String)).map(Number),
    seed: Number(get('seed') ?? 0),
    quiet: argv.includes('--quiet'),
    warmup: !argv.includes('--no-warmup'),
    single: map && scen && agents ? { map: resolve(map), scen: resolve(scen), agents: Number(agents) } : null,
  };
}

interface Anchor {
  solved: string;
  medianTFirst: number;
  maxTFirst: number;
  socOverLb: number;
}

/** LaCAM3 figures from the shared ANCHORS.md table, so the bench and the doc cannot drift apart. */
function readAnchors(): Map<string, Anchor> {
  const anchors = new Map<string, Anchor>();
  const file = join(mapfDataDir(), 'ANCHORS.md');
  if (!existsSync(file)) return anchors;
  const text = readFileSync(file, 'utf8');
  const section = text.split('## LaCAM3')[1]?.split('\n## ')[0] ?? '';
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 7 || !/^\d+\/\d+$/.test(cells[2]!)) continue;
    anchors.set(cells[1]!, { solved: cells[2]!, medianTFirst: Number(cells[3]), maxTFirst: Number(cells[4]), socOverLb: Number(cells[5]) });
  }
  return anchors;
}

function scenRows(file: string): number {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('version')).length;
}

function runChild(req: InstanceRequest): Promise<InstanceResult | { error: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [...process.execArgv, RUNNER, JSON.stringify(req)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // Hard stop: the solver checks its own deadline, this catches anything that does not.
    const killer = setTimeout(() => child.kill('SIGKILL'), (req.timeLimitS + 30) * 1000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        done(JSON.parse(line) as InstanceResult);
      } catch {
        done({ error: `runner exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}` });
      }
    });
  });
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number | null, digits = 3): number | null => (x === null ? null : Number(x.toFixed(digits)));
const print = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

interface Row {
  map: string;
  agents: number;
  solved: boolean;
  runtime: number;
  cpu: number | null;
  ratio: number | null;
  ratioFirst: number | null;
}

function summarize(map: string, rows: Row[], anchor: Anchor | undefined, args: Args): object {
  const solved = rows.filter((r) => r.solved);
  const runtimes = rows.map((r) => r.runtime);
  return {
    bench: 'mapf',
    case: 'map',
    map,
    instances: rows.length,
    solved: solved.length,
    success_rate: round(rows.length ? solved.length / rows.length : 0),
    runtime_median_s: round(median(runtimes)),
    runtime_max_s: round(runtimes.length ? Math.max(...runtimes) : null),
    cpu_first_median_s: round(median(solved.map((r) => r.cpu ?? 0))),
    soc_over_lb_median: round(median(solved.map((r) => r.ratio!))),
    soc_over_lb_first_median: round(median(solved.map((r) => r.ratioFirst!))),
    refine_s: args.refineS,
    time_limit_s: args.timeLimitS,
    anchor_lacam3_solved: anchor?.solved ?? null,
    anchor_lacam3_runtime_median_s: anchor?.medianTFirst ?? null,
    anchor_lacam3_runtime_max_s: anchor?.maxTFirst ?? null,
    anchor_lacam3_soc_over_lb_median: anchor?.socOverLb ?? null,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const jobs: { map: string; mapFile: string; scenFile: string; agents: number }[] = [];
  if (args.single) {
    for (const file of [args.single.map, args.single.scen]) if (!existsSync(file)) throw new Error(`no such file: ${file}`);
    const rows = scenRows(args.single.scen);
    if (!Number.isInteger(args.single.agents) || args.single.agents < 1 || args.single.agents > rows) {
      throw new Error(`--agents must be an integer from 1 to ${rows} (the scen's rows)`);
    }
    jobs.push({ map: basename(args.single.map, '.map'), mapFile: args.single.map, scenFile: args.single.scen, agents: args.single.agents });
  } else {
    if (!hasMapfData()) throw new Error(`MovingAI data not found in ${mapfDataDir()} (set UNIFLEET_MAPF_DATA)`);
    for (const map of args.maps) {
      for (const s of args.scens) {
        const scenFile = scenPath(map, 'random', s);
        const rows = scenRows(scenFile);
        for (const agents of args.counts) if (agents <= rows) jobs.push({ map, mapFile: mapPath(map), scenFile, agents });
      }
    }
  }
  const anchors = readAnchors();
  const all: Row[] = [];
  let currentMap = '';
  let mapRows: Row[] = [];
  const flushMap = (): void => {
    if (mapRows.length) print(summarize(currentMap, mapRows, anchors.get(currentMap), args));
    mapRows = [];
  };
  for (const job of jobs) {
    if (job.map !== currentMap) {
      flushMap();
      currentMap = job.map;
    }
    const res = await runChild({ mapFile: job.mapFile, scenFile: job.scenFile, agents: job.agents, timeLimitS: args.timeLimitS, refineS: args.refineS, seed: args.seed, warmup: args.warmup });
    const ok = !('error' in res) && res.solved;
    const row: Row = {
      map: job.map,
      agents: job.agents,
      solved: ok,
      runtime: ok && !('error' in res) ? res.t_first_s! : args.timeLimitS,
      cpu: ok && !('error' in res) ? res.cpu_first_s : null,
      ratio: ok && !('error' in res) ? res.soc! / res.lb : null,
      ratioFirst: ok && !('error' in res) ? res.soc_first! / res.lb : null,
    };
    mapRows.push(row);
    all.push(row);
    if (!args.quiet) {
      print({
        bench: 'mapf',
        case: 'instance',
        map: job.map,
        scen: basename(job.scenFile),
        agents: job.agents,
        ...('error' in res
          ? { solved: false, error: res.error }
          : { ...res, t_first_s: round(res.t_first_s), cpu_first_s: round(res.cpu_first_s), elapsed_s: round(res.elapsed_s), load_s: round(res.load_s), soc_over_lb: round(row.ratio), soc_first_over_lb: round(row.ratioFirst) }),
      });
    }
  }
  flushMap();

  const byCount: Record<string, number | null> = {};
  for (const k of [...new Set(all.map((r) => r.agents))].sort((a, b) => a - b)) {
    byCount[String(k)] = round(median(all.filter((r) => r.agents === k).map((r) => r.runtime)));
  }
  const solved = all.filter((r) => r.solved).length;
  print({
    bench: 'mapf',
    case: 'summary',
    mode: args.single ? 'single' : args.full ? 'full' : 'quick',
    solver: 'lacam+lns-ts',
    instances: all.length,
    solved,
    success_rate: round(all.length ? solved / all.length : 0),
    runtime_median_s: round(median(all.map((r) => r.runtime))),
    runtime_median_s_by_agents: byCount,
    cpu_first_median_s: round(median(all.filter((r) => r.solved).map((r) => r.cpu ?? 0))),
    load_average_1m: round(loadavg()[0]!, 2),
    soc_over_lb_median: round(median(all.filter((r) => r.solved).map((r) => r.ratio!))),
    time_limit_s: args.timeLimitS,
    refine_s: args.refineS,
    jit_warmup: args.warmup,
    anchor_lacam3: { instances: 150, solved: 150, runtime_median_s_by_agents: { 100: 0.106, 200: 0.257, 400: 0.78, 600: 2.77, 800: 3.98, 1000: 5.76 } },
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:mapf failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
