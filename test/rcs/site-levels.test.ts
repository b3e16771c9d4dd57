import { describe, expect, it } from 'vitest';
import { VENDOR_PROFILES } from '../../src/agv/sim/profiles.ts';
import { seededRandom } from '../../src/core/random.ts';
import { demoTaskStations } from '../../src/demo/feeder.ts';
import { siteExport } from '../../src/rcs/session/site-export.ts';
import { SiteNumbering } from '../../src/rcs/session/site-numbering.ts';
import {
  DEMO_SITE_PATH,
  DEMO_WAREHOUSE_PATH,
  loadSiteMap,
  navigationSwitchPoints,
  poseBetweenFrames,
  readSiteMapFile,
  routableGraph,
  sitePlane,
  SiteMapError,
  unreachableNodes,
  liftCapacityFor,
} from '../../src/rcs/site/index.ts';
import { NavType } from '../../src/protocol/enums.ts';
import { NAVIGATION_MODES } from '../../src/rcs/site/types.ts';

/**
 * Two floors of one building, each a corridor a - b - c, joined by lift L1 whose cabin stands at c on both floors.
 * On F1 the corridor's west end is a QR-code area; F2's c - d edge has a door 1.2 m wide.
 */
function twoFloors(): Record<string, unknown> {
  const floor = (m: string) => [
    { id: `${m}a`, map: m, x: 0, y: 0, kind: 'station', stationId: `S-${m}` },
    { id: `${m}b`, map: m, x: 2, y: 0 },
    { id: `${m}c`, map: m, x: 4, y: 0 },
    { id: `${m}d`, map: m, x: 6, y: 0 },
  ];
  const edges = (m: string) => [
    { id: `${m}ab`, from: `${m}a`, to: `${m}b`, length: 2, maxSpeed: 1, bidirectional: true },
    { id: `${m}bc`, from: `${m}b`, to: `${m}c`, length: 2, maxSpeed: 1, bidirectional: true },
    { id: `${m}cd`, from: `${m}c`, to: `${m}d`, length: 2, maxSpeed: 1, bidirectional: true },
  ];
  return {
    id: 'site',
    name: 'Two floors',
    maps: [
      { id: 'F1', name: 'Floor 1', building: 'A', floor: 1 },
      { id: 'F2', name: 'Floor 2', building: 'A', floor: 2, frame: { x: 10, y: 0, theta: Math.PI / 2 } },
    ],
    nodes: [...floor('F1'), ...floor('F2')],
    edges: [...edges('F1'), ...edges('F2')],
    stations: [
      { id: 'S-F1', node: 'F1a', kind: 'pick' },
      { id: 'S-F2', node: 'F2a', kind: 'drop' },
    ],
    chargers: [],
    lifts: [
      {
        id: 'L1',
        stops: [
          { map: 'F1', node: 'F1c' },
          { map: 'F2', node: 'F2c' },
        ],
        cabin: { lengthM: 2.2, widthM: 1.6 },
        capacity: [
          { maxBodyM: 1.8, count: 1 },
          { maxBodyM: 1.0, count: 2 },
        ],
        doorOpenS: 4,
        doorCloseS: 3,
        travelSPerFloor: 6,
      },
    ],
    doors: [{ id: 'D1', edge: 'F2cd', kind: 'fire', openS: 5, widthM: 1.2 }],
    navigationAreas: [{ id: 'qr-west', modes: ['qrCode'], nodes: ['F1a', 'F1b'] }],
  };
}

function issuesOf(json: unknown): string[] {
  try {
    loadSiteMap(json);
  } catch (err) {
    expect(err).toBeInstanceOf(SiteMapError);
    return (err as SiteMapError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the site to be rejected');
}

describe('site model v2: maps, lifts, doors, navigation areas', () => {
  it('loads a two-floor site as one graph: the lift ride is an edge between the cabin nodes', () => {
    const site = loadSiteMap(twoFloors());
    expect(site.maps.map((m) => m.id)).toEqual(['F1', 'F2']);
    expect(site.maps[0]!.frame).toEqual({ x: 0, y: 0, theta: 0 });
    const ride = site.edges.find((e) => e.kind === 'lift')!;
    expect(ride).toMatchObject({ from: 'F1c', to: 'F2c', lift: 'L1', bidirectional: true, length: 3 + 6 + 4, maxSpeed: 1 });
    expect(site.lifts[0]!.capacity.map((c) => c.maxBodyM)).toEqual([1.0, 1.8]);
    expect(unreachableNodes(site)).toEqual([]);
  });

  it('loads a single-map file unchanged: one map with the site id, every node on it, no lifts', async () => {
    const site = await readSiteMapFile(DEMO_WAREHOUSE_PATH);
    expect(site.maps).toEqual([{ id: site.id, name: site.name, frame: { x: 0, y: 0, theta: 0 } }]);
    expect(site.nodes.every((n) => n.map === site.id)).toBe(true);
    expect(site.lifts).toEqual([]);
    expect(site.edges.every((e) => e.kind === undefined)).toBe(true);
  });

  it('accepts the site as served back (lift edges written out) and derives the same edges', () => {
    const once = loadSiteMap(twoFloors());
    const again = loadSiteMap(JSON.parse(JSON.stringify(once)));
    expect(again.edges).toEqual(once.edges);
  });

  it('names every v2 problem with its path', () => {
    const json = twoFloors();
    (json.nodes as Record<string, unknown>[]).push({ id: 'x1', x: 0, y: 9 }, { id: 'x2', map: 'F9', x: 0, y: 9 });
    (json.edges as object[]).push({ id: 'cross', from: 'F1d', to: 'F2d', length: 1, maxSpeed: 1 });
    (json.edges as object[]).push({ id: 'fake-ride', from: 'F1a', to: 'F2a', length: 1, maxSpeed: 1, kind: 'lift', lift: 'L1' });
    const lift = (json.lifts as Record<string, unknown>[])[0]!;
    lift.capacity = [{ maxBodyM: 2.5, count: 1 }];
    (json.lifts as object[]).push({
      id: 'L2', stops: [{ map: 'F1', node: 'F1a' }, { map: 'F1', node: 'F1b' }], cabin: { lengthM: 2, widthM: 2 }, capacity: [{ maxBodyM: 1, count: 1 }],
      doorOpenS: 1, doorCloseS: 1, travelSPerFloor: 0,
    });
    (json.doors as object[]).push({ id: 'D2', edge: 'nope', kind: 'sliding', openS: -1 });
    (json.navigationAreas as object[]).push({ id: 'slam', modes: ['laserSlam', 'sonar'], nodes: ['F1b', 'zz'] });
    const issues = issuesOf(json);
    const expected = [
      "nodes[8].map: must name its map: the site has 2 (F1, F2)",
      "nodes[9].map: unknown map 'F9'",
      "edges[6]: joins map 'F1' to map 'F2': only lifts join maps",
      'edges[7]: a lift edge must join two stops of the lift it names (lift edges follow from lifts; leave them out)',
      'lifts[0].capacity[0].maxBodyM: 2.5 m does not fit a cabin whose longest side is 2.2 m',
      "lifts[1].stops[0].node: node 'F1a' is a station: a cabin stands on a waypoint",
      "lifts[1].stops[1].map: a lift stops once per map; 'F1' is listed twice",
      'lifts[1].travelSPerFloor: must be a positive finite number',
      "doors[1].edge: unknown edge 'nope'",
      'doors[1].kind: must be one of fire, roller',
      'doors[1].openS: must be a non-negative finite number',
      'navigationAreas[1].modes[1]: must be one of ' + NAVIGATION_MODES.join(', '),
      "navigationAreas[1].nodes[0]: node 'F1b' is already in navigation area navigationAreas[0]",
      "navigationAreas[1].nodes[1]: unknown node 'zz'",
    ];
    for (const issue of expected) expect(issues).toContain(issue);
  });

  it('refuses a lift between maps without floors or on one floor', () => {
    const json = twoFloors();
    const maps = json.maps as Record<string, unknown>[];
    delete maps[0]!.floor;
    expect(issuesOf(json)).toContain("lifts[0].stops[0].map: map 'F1' has no floor: a lift travels between floors");
    maps[0]!.floor = 2;
    expect(issuesOf(json)).toContain("lifts[0].stops[1].map: map 'F2' is on floor 2 like map 'F1'");
  });

  it('names navigation modes as the protocol does', () => {
    expect([...NAVIGATION_MODES].sort()).toEqual(Object.keys(NavType.values).sort());
  });

  it('routes an AGV only where its navigation modes and its body fit', () => {
    const site = loadSiteMap(twoFloors());
    const slamSmall = routableGraph(site, { navigation: ['laserSlam'], bodyM: 0.9 });
    expect(slamSmall.nodes.has('F1a')).toBe(false);
    expect(slamSmall.nodes.has('F1c')).toBe(true);
    expect(slamSmall.canTraverse('F1c', 'F2c')).toBe(true);
    expect(slamSmall.canTraverse('F2c', 'F2d')).toBe(true);

    const qrOnly = routableGraph(site, { navigation: ['qrCode'], bodyM: 0.9 });
    expect(qrOnly.canTraverse('F1a', 'F1b')).toBe(true);
    expect(qrOnly.canTraverse('F1b', 'F1c')).toBe(true);

    const both = routableGraph(site, { navigation: ['laserSlam', 'qrCode'], bodyM: 1.5 });
    expect(both.canTraverse('F1a', 'F1b')).toBe(true);
    expect(both.canTraverse('F1c', 'F2c')).toBe(true);
    expect(both.canTraverse('F2c', 'F2d')).toBe(false); // the door is 1.2 m wide

    const forklift = routableGraph(site, { navigation: ['laserSlam'], bodyM: 2 });
    expect(forklift.nodes.has('F1c')).toBe(false); // the cabin carries bodies up to 1.8 m
    expect([...forklift.edges].some((e) => e.startsWith('lift:'))).toBe(false);

    const none = routableGraph(site, { navigation: [], bodyM: 0.9 });
    expect(none.nodes.has('F1b')).toBe(false);
    expect(none.nodes.has('F1c')).toBe(true);
  });

  it('derives the navigation switch points where the usable modes change', () => {
    const site = loadSiteMap(twoFloors());
    // b - c is driven in QR mode (b is in the QR area), c - d in any: an AGV coming out switches at c, which allows both.
    expect([...navigationSwitchPoints(site)]).toEqual(['F1c']);
  });

  it('gives lift capacity by body size', () => {
    const lift = loadSiteMap(twoFloors()).lifts[0]!;
    expect([liftCapacityFor(lift, 0.9), liftCapacityFor(lift, 1.0), liftCapacityFor(lift, 1.1), liftCapacityFor(lift, 1.8), liftCapacityFor(lift, 1.9)]).toEqual([2, 2, 1, 1, 0]);
  });

  it('converts a cabin pose between the frames of two floors', () => {
    const site = loadSiteMap(twoFloors());
    const [f1, f2] = site.maps;
    const p = poseBetweenFrames({ x: 4, y: 0, theta: 0 }, f1!.frame, f2!.frame);
    // F2's origin is at (10, 0) in the building, its x axis along the building's y: (4, 0) is (0, 6) on F2, facing -90°.
    expect(p.x).toBeCloseTo(0, 9);
    expect(p.y).toBeCloseTo(6, 9);
    expect(p.theta).toBeCloseTo(-Math.PI / 2, 9);
    const back = poseBetweenFrames(p, f2!.frame, f1!.frame);
    expect(back.x).toBeCloseTo(4, 9);
    expect(back.theta).toBeCloseTo(0, 9);
  });

  it('places the maps apart on one plane so bodies on two floors never overlap', () => {
    const site = loadSiteMap(twoFloors());
    const plane = sitePlane(site.nodes);
    const a = site.nodes.findIndex((n) => n.id === 'F1c');
    const b = site.nodes.findIndex((n) => n.id === 'F2c');
    expect(Math.hypot(plane[a]!.x - plane[b]!.x, plane[a]!.y - plane[b]!.y)).toBeGreaterThan(1000);
  });
});

describe('the default demo site (maps/demo-site.json)', () => {
  it('is two floors of one building joined by two lifts, every node reachable from every other', async () => {
    const site = await readSiteMapFile(DEMO_SITE_PATH);
    expect(site.maps.map((m) => [m.id, m.building, m.floor])).toEqual([
      ['F1', 'A', 0],
      ['F2', 'A', 1],
    ]);
    expect(site.lifts.map((l) => l.stops.map((s) => s.map))).toEqual([
      ['F1', 'F2'],
      ['F1', 'F2'],
    ]);
    expect(unreachableNodes(site)).toEqual([]);
    for (const map of site.maps) {
      const on = new Set(site.nodes.filter((n) => n.map === map.id).map((n) => n.id));
      expect(site.stations.filter((s) => on.has(s.node) && s.kind === 'pick').length).toBeGreaterThan(10);
      expect(site.stations.filter((s) => on.has(s.node) && s.kind === 'drop').length).toBeGreaterThan(5);
    }
  });

  it('is laid out for the largest body of the fleet: no two nodes of a floor closer than the 1.8 m forklift is long', async () => {
    const site = await readSiteMapFile(DEMO_SITE_PATH);
    const largest = Math.max(...VENDOR_PROFILES.map((p) => Math.max(p.lengthM, p.widthM)));
    expect(largest).toBe(1.8);
    for (const map of site.maps) {
      const nodes = site.nodes.filter((n) => n.map === map.id);
      let closest = Infinity;
      for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) closest = Math.min(closest, Math.hypot(nodes[i]!.x - nodes[j]!.x, nodes[i]!.y - nodes[j]!.y));
      expect(closest).toBeGreaterThanOrEqual(largest);
    }
  });

  it('lets every vendor of the demo fleet reach both floors through either lift, and keeps each out of the other navigation area', async () => {
    const site = await readSiteMapFile(DEMO_SITE_PATH);
    const area = (id: string) => site.navigationAreas.find((a) => a.id === id)!;
    expect(area('F1-QR-SHELVING').modes).toEqual(['qrCode']);
    expect(area('F2-SLAM-PALLETS').modes).toEqual(['laserSlam']);
    for (const profile of VENDOR_PROFILES) {
      const graph = routableGraph(site, { navigation: [profile.navigation === 'qr' ? 'qrCode' : 'laserSlam'], bodyM: Math.max(profile.lengthM, profile.widthM) });
      for (const lift of site.lifts) expect(graph.canTraverse(lift.stops[0]!.node, lift.stops[1]!.node)).toBe(true);
      const barred = profile.navigation === 'qr' ? area('F2-SLAM-PALLETS') : area('F1-QR-SHELVING');
      expect(barred.nodes.some((n) => graph.nodes.has(n))).toBe(false);
      const drops = site.stations.filter((s) => s.kind === 'drop');
      expect(drops.every((d) => graph.nodes.has(d.node))).toBe(true);
    }
  });

  it('feeds demo tasks on one floor, or across floors at the configured share', async () => {
    const site = await readSiteMapFile(DEMO_SITE_PATH);
    const mapOf = new Map(site.nodes.map((n) => [n.id, n.map]));
    const floorOf = (station: string) => mapOf.get(site.stations.find((s) => s.id === station)!.node);
    const random = seededRandom(3);
    const crossing = (share: number) => Array.from({ length: 200 }, () => demoTaskStations(site, share, random)).filter((t) => floorOf(t.pick) !== floorOf(t.drop)).length;
    expect(crossing(0)).toBe(0);
    expect(crossing(1)).toBe(200);
    const half = crossing(0.5);
    expect(half).toBeGreaterThan(60);
    expect(half).toBeLessThan(140);
  });
});

describe('wire numbers of a site of several maps', () => {
  it('numbers maps by their position, puts each node on its map in the export, and keeps 1 for a single-map site', async () => {
    const site = loadSiteMap(twoFloors());
    const numbering = new SiteNumbering(site);
    expect([numbering.mapNumberOf('F1'), numbering.mapNumberOf('F2'), numbering.mapNumberOf('F9')]).toEqual([1, 2, 0]);
    expect([numbering.mapIdOf(2), numbering.mapIdOf(3)]).toEqual(['F2', undefined]);
    expect(numbering.mapNumberOfNode('F2c')).toBe(2);
    const exported = siteExport(numbering) as { nodes: { name: string; mapId: number }[]; edges: { name: string; kind: string }[]; maps: unknown[] };
    expect(exported.nodes.find((n) => n.name === 'F2a')!.mapId).toBe(2);
    expect(exported.edges.find((e) => e.name.startsWith('lift:'))!.kind).toBe('lift');
    expect(exported.maps).toEqual([
      { mapId: 1, name: 'Floor 1', building: 'A', floor: 1 },
      { mapId: 2, name: 'Floor 2', building: 'A', floor: 2 },
    ]);
    const single = new SiteNumbering(await readSiteMapFile(DEMO_WAREHOUSE_PATH));
    expect([single.mapNumberOf(single.site.id), single.mapIdOf(1), single.mapNumberOfNode(single.site.nodes[0]!.id)]).toEqual([1, single.site.id, 1]);
  });
});
