// Child process of bench/failover.ts: the simulated fleet over TCP, given both platform instances as its endpoint
// list, and the independent safety check. The check reads only the simulated vehicles (where each one is and which
// released nodes it still has ahead), never a platform's reservations:
// - two AGVs on the same node at once;
// - two AGVs that may drive onto the same node (one's released nodes, or the node it last passed, overlap another's);
// - an AGV that arrives at a node it was not released (not ahead of it at the previous sample).
// The fleet is COMPACT_PROFILES (0.9 m latent lifters only), as in the e2e failover tests: the demo warehouse's 1 m
// lattice is laid out for compact bodies, and the mixed vendor fleet (1.8 m forklifts) jams there, which would show as
// unfinished tasks that have nothing to do with failover.
// argv: map file, AGV count, then host:port of each platform instance in failover order.
import { readFileSync } from 'node:fs';
import { systemClock } from '../src/core/index.ts';
import { COMPACT_PROFILES, Simulator, type SimMapNode } from '../src/agv/sim/index.ts';

const [mapPath, count, ...endpointArgs] = process.argv.slice(2);
const map = JSON.parse(readFileSync(mapPath!, 'utf8')) as { nodes: SimMapNode[]; startNodes: string[] };
const endpoints = endpointArgs.map((e) => ({ host: e.slice(0, e.lastIndexOf(':')), port: Number(e.slice(e.lastIndexOf(':') + 1)) }));
const sim = new Simulator({ clock: systemClock, nodes: map.nodes, count: Number(count), startNodes: map.startNodes, endpoints, tickMs: 50, batteryPct: () => 95, profiles: COMPACT_PROFILES });
/** What the bench reports as `bodies`: each profile's model and size. */
const BODIES = COMPACT_PROFILES.map((p) => `${p.model} ${p.lengthM}x${p.widthM} m`);

// Wire node numbers (the bodies' node ids) → position.
const positions = new Map(map.nodes.map((n, i) => [String(i + 1), n]));
const violations: string[] = [];
const previous = new Map<string, { last: string; ahead: Set<string> }>();
let samples = 0;

function nodeAt(x: number, y: number): string | undefined {
  for (const [id, n] of positions) if (Math.hypot(n.x - x, n.y - y) < 0.25) return id;
  return undefined;
}

function check(): void {
  samples++;
  const standing = new Map<string, string>();
  const claimed = new Map<string, string>();
  for (const agv of sim.agvs) {
    const { id } = agv.body;
    const m = agv.body.motion;
    const at = nodeAt(m.x, m.y);
    if (at !== undefined) {
      const other = standing.get(at);
      if (other) violations.push(`${id} and ${other} both on node ${at}`);
      standing.set(at, id);
    }
    const ahead = new Set(m.ahead.map((p) => p.id));
    for (const node of [m.lastNodeId, ...ahead]) {
      const other = claimed.get(node);
      if (other && other !== id) violations.push(`${id} and ${other} may both drive onto node ${node}`);
      claimed.set(node, id);
    }
    const before = previous.get(id);
    if (before && m.lastNodeId !== before.last && !before.ahead.has(m.lastNodeId)) violations.push(`${id} reached node ${m.lastNodeId}, which it was not released`);
    previous.set(id, { last: m.lastNodeId, ahead });
  }
}

sim.start(50);
// Checked right after the bodies move (same 50 ms period), so no arrival slips between two samples unseen.
const checker = setInterval(check, 25);

process.on('message', (m) => {
  if (m === 'status') {
    const active = sim.agvs.filter((a) => a.client.state === 'active').length;
    process.send?.({ active, violations: violations.length, firstViolations: violations.slice(0, 5), samples, bodies: BODIES });
  }
  if (m === 'stop') {
    clearInterval(checker);
    sim.stop();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
