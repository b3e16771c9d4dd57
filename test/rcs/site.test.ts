import { describe, expect, it } from 'vitest';
import {
  DEMO_WAREHOUSE_LARGE_PATH,
  DEMO_WAREHOUSE_PATH,
  loadSiteMap,
  reachableFrom,
  readSiteMapFile,
  SiteMapError,
  unreachableNodes,
  type SiteMap,
} from '../../src/rcs/site/index.ts';
import { cellNodeId, importMovingAiMap } from '../../bench/lib/movingai-site.ts';

function tiny(): Record<string, unknown> {
  return {
    id: 'tiny',
    name: 'Tiny',
    nodes: [
      { id: 'a', x: 0, y: 0, kind: 'station', stationId: 'S1' },
      { id: 'b', x: 1, y: 0 },
      { id: 'c', x: 2, y: 0, kind: 'charger', chargerId: 'C1' },
      { id: 'd', x: 3, y: 0, kind: 'parking' },
    ],
    edges: [
      { id: 'ab', from: 'a', to: 'b', length: 1, maxSpeed: 1, bidirectional: true },
      { id: 'bc', from: 'b', to: 'c', length: 1, maxSpeed: 1, bidirectional: true },
      { id: 'cd', from: 'c', to: 'd', length: 1, maxSpeed: 1, bidirectional: true },
    ],
    stations: [{ id: 'S1', node: 'a', kind: 'pick' }],
    chargers: [{ id: 'C1', node: 'c' }],
    parking: [{ id: 'P1', node: 'd' }],
  };
}

function issuesOf(json: unknown): { path: string; message: string }[] {
  try {
    loadSiteMap(json);
  } catch (err) {
    expect(err).toBeInstanceOf(SiteMapError);
    return (err as SiteMapError).issues;
  }
  throw new Error('expected the map to be rejected');
}

describe('site map validation', () => {
  it('accepts a valid map and defaults node kind to waypoint', () => {
    const site = loadSiteMap(tiny());
    expect(site.nodes.find((n) => n.id === 'b')!.kind).toBe('waypoint');
    expect(site.stations).toEqual([{ id: 'S1', node: 'a', kind: 'pick' }]);
  });

  it('keeps noStop on waypoints and refuses it where AGVs stop or when it is not a boolean', () => {
    const json = tiny();
    const nodes = json.nodes as Record<string, unknown>[];
    nodes.find((n) => n.id === 'b')!.noStop = true;
    expect(loadSiteMap(json).nodes.find((n) => n.id === 'b')!.noStop).toBe(true);
    nodes.find((n) => n.id === 'a')!.noStop = true;
    nodes.find((n) => n.id === 'b')!.noStop = 'yes';
    const issues = issuesOf(json);
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['nodes[0].noStop', 'nodes[1].noStop']));
    expect(issues.find((i) => i.path === 'nodes[1].noStop')!.message).toBe('must be a boolean');
  });

  it('rejects an edge to an unknown node, naming the field', () => {
    const json = tiny();
    (json.edges as object[]).push({ id: 'bx', from: 'b', to: 'x', length: 1, maxSpeed: 1 });
    expect(issuesOf(json)).toContainEqual({ path: 'edges[3].to', message: "unknown node 'x'" });
  });

  it('rejects duplicate node and edge ids', () => {
    const json = tiny();
    (json.nodes as object[]).push({ id: 'a', x: 9, y: 9 });
    (json.edges as object[]).push({ id: 'ab', from: 'c', to: 'b', length: 1, maxSpeed: 1 });
    const paths = issuesOf(json).map((i) => `${i.path}: ${i.message}`);
    expect(paths.some((p) => p.startsWith("nodes[4].id: duplicate node id 'a'"))).toBe(true);
    expect(paths.some((p) => p.startsWith("edges[3].id: duplicate edge id 'ab'"))).toBe(true);
  });

  it('rejects a station without a node, or on a node of the wrong kind', () => {
    const json = tiny();
    (json.stations as object[]).push({ id: 'S2', kind: 'drop' });
    (json.stations as object[]).push({ id: 'S3', node: 'b', kind: 'drop' });
    const issues = issuesOf(json);
    expect(issues).toContainEqual({ path: 'stations[1].node', message: 'station has no node' });
    expect(issues).toContainEqual({ path: 'stations[2].node', message: "node 'b' has kind 'waypoint', expected 'station'" });
  });

  it('rejects bad numbers, kinds and duplicate directions, and reports them all at once', () => {
    const json = tiny();
    const edges = json.edges as Record<string, unknown>[];
    edges[0]!.length = -1;
    edges[1]!.maxSpeed = 'fast';
    edges.push({ id: 'dc', from: 'd', to: 'c', length: 1, maxSpeed: 1 });
    (json.nodes as Record<string, unknown>[])[1]!.kind = 'teleporter';
    const issues = issuesOf(json);
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['edges[0].length', 'edges[1].maxSpeed', 'edges[3]', 'nodes[1].kind']));
    expect(new SiteMapError(issues).message).toMatch(/^invalid site map: /);
  });

  it('rejects things that are not a map at all', () => {
    expect(issuesOf(null)).toEqual([{ path: '$', message: 'must be an object' }]);
    expect(issuesOf({ id: 'x', name: 'x', nodes: 'many' }).map((i) => i.path)).toContain('nodes');
  });

  it('checks back-references from nodes to stations and chargers', () => {
    const json = tiny();
    (json.nodes as Record<string, unknown>[])[2]!.chargerId = 'C9';
    expect(issuesOf(json).map((i) => i.path)).toContain('nodes[2].chargerId');
  });
});

describe('MovingAI importer', () => {
  const text = ['type octile', 'height 4', 'width 5', 'map', 'P..@C', '.@.@.', '..D..', 'K@@@.'].join('\n');

  it('turns passable cells into nodes and 4-neighbours into two-way edges', () => {
    const site = importMovingAiMap(text, {
      id: 'grid',
      cellSize: 0.5,
      stationChars: { P: 'pick', D: 'drop' },
      chargerChars: 'C',
      parkingChars: 'K',
    });
    expect(site.nodes).toHaveLength(14);
    const a = site.nodes.find((n) => n.id === cellNodeId(2, 2))!;
    expect(a).toMatchObject({ x: 1, y: 1, kind: 'station', stationId: 'S-2-2' });
    expect(site.edges.every((e) => e.bidirectional && e.length === 0.5)).toBe(true);
    expect(site.edges.find((e) => e.from === 'x0y0' && e.to === 'x1y0')).toBeDefined();
    expect(site.edges.find((e) => e.from === 'x3y0' || e.to === 'x3y0')).toBeUndefined();
    expect(site.stations.map((s) => [s.id, s.kind])).toEqual([
      ['S-0-0', 'pick'],
      ['S-2-2', 'drop'],
    ]);
    expect(site.chargers).toEqual([{ id: 'C-4-0', node: 'x4y0' }]);
    expect(site.parking).toEqual([{ id: 'P-0-3', node: 'x0y3' }]);
    expect(unreachableNodes(site)).toEqual([]);
  });

  it('marks cells given by options and rejects blocked ones', () => {
    const site = importMovingAiMap(text, { id: 'grid', stations: [{ x: 1, y: 0, kind: 'both', id: 'DOCK' }] });
    expect(site.stations).toEqual([{ id: 'DOCK', node: 'x1y0', kind: 'both' }]);
    expect(() => importMovingAiMap(text, { id: 'grid', chargers: [{ x: 3, y: 0 }] })).toThrow(/blocked/);
  });

  it('reports a malformed file as a SiteMapError', () => {
    expect(() => importMovingAiMap('type octile\nheight 2\nmap\n..', { id: 'g' })).toThrow(SiteMapError);
  });
});

describe('demo warehouse map', () => {
  let site: SiteMap;

  it('loads and has a warehouse-sized layout', async () => {
    site = await readSiteMapFile(DEMO_WAREHOUSE_PATH);
    expect(site.nodes.length).toBeGreaterThanOrEqual(200);
    expect(site.nodes.length).toBeLessThanOrEqual(400);
    expect(site.stations.filter((s) => s.kind !== 'drop').length).toBeGreaterThanOrEqual(6);
    expect(site.stations.filter((s) => s.kind !== 'pick').length).toBeGreaterThanOrEqual(6);
    expect(site.stations.length).toBeGreaterThanOrEqual(12);
    expect(site.chargers.length).toBeGreaterThanOrEqual(6);
    expect(site.parking.length).toBeGreaterThanOrEqual(30);
    expect(site.edges.some((e) => !e.bidirectional)).toBe(true);
    const xs = site.nodes.map((n) => n.x);
    const ys = site.nodes.map((n) => n.y);
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThanOrEqual(25);
    expect(Math.max(...ys) - Math.min(...ys)).toBeGreaterThanOrEqual(15);
  });

  it('is strongly connected: every station, charger and parking spot can be reached and left', () => {
    expect(unreachableNodes(site)).toEqual([]);
    const fromPark = reachableFrom(site, site.parking[0]!.node);
    for (const s of [...site.stations, ...site.chargers]) expect(fromPark.has(s.node)).toBe(true);
  });

  it('has edge lengths that match the node positions', () => {
    const byId = new Map(site.nodes.map((n) => [n.id, n]));
    for (const e of site.edges) {
      const a = byId.get(e.from)!;
      const b = byId.get(e.to)!;
      expect(e.length).toBeCloseTo(Math.hypot(a.x - b.x, a.y - b.y), 6);
    }
  });
});

describe('large demo warehouse map', () => {
  it('has room for ~200 AGVs and is strongly connected', async () => {
    const site = await readSiteMapFile(DEMO_WAREHOUSE_LARGE_PATH);
    expect(site.nodes.length).toBeGreaterThanOrEqual(1000);
    expect(site.stations.filter((s) => s.kind === 'pick').length).toBeGreaterThanOrEqual(50);
    expect(site.stations.filter((s) => s.kind === 'drop').length).toBeGreaterThanOrEqual(12);
    expect(site.chargers.length).toBeGreaterThanOrEqual(6);
    expect(site.parking.length).toBeGreaterThanOrEqual(25);
    expect(unreachableNodes(site)).toEqual([]);
  });

  it('is laid out for 1.8 m bodies: work places are drive-through and 2 m clear of other lanes', async () => {
    const site = await readSiteMapFile(DEMO_WAREHOUSE_LARGE_PATH);
    const byId = new Map(site.nodes.map((n) => [n.id, n]));
    const outs = new Map<string, Set<string>>();
    const ins = new Map<string, Set<string>>();
    const link = (a: string, b: string) => {
      if (!outs.has(a)) outs.set(a, new Set());
      if (!ins.has(b)) ins.set(b, new Set());
      outs.get(a)!.add(b);
      ins.get(b)!.add(a);
    };
    for (const e of site.edges) {
      link(e.from, e.to);
      if (e.bidirectional) link(e.to, e.from);
    }
    for (const station of site.stations) {
      // Drive-through: the AGV leaves forward, to a node other than the one it came from.
      const from = [...(ins.get(station.node) ?? [])];
      const to = [...(outs.get(station.node) ?? [])];
      expect(to.some((t) => !from.includes(t)), station.id).toBe(true);
    }
    // Near a work place (< 2 m) there are only nodes of its own bay or spur: noStop links, and nodes of a bay lane
    // (which, like the work place itself, are 2 m from any through lane).
    const workPlaces = [...site.stations.map((s) => s.node), ...site.chargers.map((c) => c.node), ...site.parking.map((p) => p.node)];
    const throughLane = (id: string) => (outs.get(id)?.size ?? 0) + (ins.get(id)?.size ?? 0) >= 3 && byId.get(id)!.noStop !== true;
    for (const id of workPlaces) {
      const w = byId.get(id)!;
      for (const n of site.nodes) {
        if (n.id === id || Math.hypot(n.x - w.x, n.y - w.y) >= 2 - 1e-9) continue;
        expect(throughLane(n.id), `${n.id} is ${Math.hypot(n.x - w.x, n.y - w.y).toFixed(2)} m from ${id}`).toBe(false);
      }
    }
    const noStop = site.nodes.filter((n) => n.noStop === true);
    expect(noStop.length).toBeGreaterThan(0);
    expect(noStop.every((n) => n.kind === 'waypoint')).toBe(true);
  });
});
