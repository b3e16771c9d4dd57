import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSiteMap, readSiteMapFile, siteJsonFromLif, SiteMapError } from '../../src/rcs/site/index.ts';
import { orderGraph, orderSiteOf, readFactsheet, statusFromState } from '../../src/rcs/vda5050/convert.ts';
import type { VdaState } from '../../src/rcs/vda5050/wire.ts';

const LIF_PATH = new URL('../../maps/example-layout.lif.json', import.meta.url).pathname;

describe('LIF site import', () => {
  it('reads nodes, one-way edges, speeds, stations and chargers from a LIF layout', async () => {
    const site = await readSiteMapFile(LIF_PATH);
    expect(site.id).toBe('lif-demo');
    expect(site.maps.map((m) => m.id)).toEqual(['lif-demo']);
    expect(site.nodes.every((n) => n.map === 'lif-demo')).toBe(true);
    expect(site.nodes).toHaveLength(6);
    expect(site.edges.find((e) => e.id === 'AB')).toMatchObject({ from: 'A', to: 'B', length: 2, maxSpeed: 1.5 });
    expect(site.edges.find((e) => e.id === 'BE')!.maxSpeed).toBe(0.5);
    expect(site.stations).toEqual([{ id: 'S-in', node: 'C', kind: 'both' }, { id: 'S-out', node: 'A', kind: 'both' }]);
    expect(site.chargers).toEqual([{ id: 'chg-F', node: 'F' }]);
    expect(site.nodes.find((n) => n.id === 'C')).toMatchObject({ kind: 'station', stationId: 'S-in', theta: 0 });
  });

  it('reports what is wrong with a broken layout by path', () => {
    const lif = JSON.parse(readFileSync(LIF_PATH, 'utf8')) as { layouts: { edges: { endNodeId: string }[] }[] };
    lif.layouts[0]!.edges[0]!.endNodeId = 'nowhere';
    expect(() => loadSiteMap(siteJsonFromLif(lif))).toThrow(/unknown node 'nowhere'/);
    expect(() => siteJsonFromLif({ hello: 1 })).toThrow(SiteMapError);
    expect(() => siteJsonFromLif({ ...lif, layouts: [] })).toThrow(/has no layout/);
  });
});

describe('VDA 5050 conversion', () => {
  const site = orderSiteOf({ id: 'm', name: 'm', maps: [{ id: 'm', name: 'm', frame: { x: 0, y: 0, theta: 0 } }], nodes: [{ id: 'a', x: 0, y: 0, kind: 'waypoint', map: 'm' }, { id: 'b', x: 1, y: 0, kind: 'waypoint', map: 'm' }, { id: 'c', x: 2, y: 0, kind: 'waypoint', map: 'm' }, { id: 'd', x: 3, y: 0, kind: 'waypoint', map: 'm' }], edges: [{ id: 'ab', from: 'a', to: 'b', length: 1, maxSpeed: 1, bidirectional: true }, { id: 'bc', from: 'b', to: 'c', length: 1, maxSpeed: 0.5 }, { id: 'cd', from: 'c', to: 'd', length: 1, maxSpeed: 1 }], stations: [], chargers: [], parking: [], lifts: [], doors: [], navigationAreas: [] });
  const step = (id: string, x: number) => ({ nodeId: id, x, y: 0 });

  it('puts released nodes in the base and announced ones in the horizon, with stitching sequence ids', () => {
    const first = orderGraph({ orderId: 1, updateId: 0, released: [step('a', 0), step('b', 1)], announced: [step('c', 2)] }, site, 0);
    expect(first.nodes.map((n) => [n.nodeId, n.sequenceId, n.released])).toEqual([['a', 0, true], ['b', 2, true], ['c', 4, false]]);
    expect(first.edges.map((e) => [e.edgeId, e.sequenceId, e.released, e.maxSpeed])).toEqual([['ab', 1, true, 1], ['bc', 3, false, 0.5]]);
    expect(first.lastBaseSequenceId).toBe(2);
    // The update starts at the last base node with its sequence id.
    const update = orderGraph({ orderId: 1, updateId: 1, released: [step('b', 1), step('c', 2), step('d', 3)], announced: [] }, site, first.lastBaseSequenceId);
    expect(update.nodes.map((n) => [n.nodeId, n.sequenceId])).toEqual([['b', 2], ['c', 4], ['d', 6]]);
    expect(update.nodes[0]!.nodePosition).toEqual({ x: 1, y: 0, mapId: 'm' });
    // A bidirectional edge driven backwards keeps its id.
    expect(orderGraph({ orderId: 2, updateId: 0, released: [step('b', 1), step('a', 0)], announced: [] }, site, 0).edges[0]!.edgeId).toBe('ab');
  });

  it('reads a state as the runtime status: node only if the site knows it, errors as alarms, load and actions', () => {
    const state = {
      headerId: 1, timestamp: '', version: '2.0.0', manufacturer: 'x', serialNumber: 'y', orderId: 'o', orderUpdateId: 0, lastNodeId: 'b', lastNodeSequenceId: 2,
      nodeStates: [], edgeStates: [], agvPosition: { x: 1, y: 0, theta: 0.5, mapId: 'm', positionInitialized: true }, loads: [{}], driving: false, operatingMode: 'AUTOMATIC',
      actionStates: [{ actionId: 'p', actionType: 'pick', actionStatus: 'RUNNING' }], batteryState: { batteryCharge: 55, charging: false },
      errors: [{ errorType: 'noRouteError', errorLevel: 'WARNING', errorDescription: 'blocked' }], safetyState: { eStop: 'NONE', fieldViolation: false },
    } as VdaState;
    const status = statusFromState(state, 123, site.has);
    expect(status).toMatchObject({ at: 123, x: 1, theta: 0.5, lastNodeId: 'b', battery: 55, loaded: true, actionRunning: true, state: 'executingAction', emergencyStop: false });
    expect(status.alarms).toEqual([{ code: 0x5003, severity: 'warning', message: 'noRouteError: blocked' }]);
    expect(statusFromState({ ...state, lastNodeId: 'elsewhere' }, 0, site.has).lastNodeId).toBeUndefined();
  });

  it('registers the body from the factsheet by the same rule as the guide protocol, refusing a missing or absurd one', () => {
    const ok = readFactsheet({ headerId: 0, timestamp: '', version: '2.0.0', manufacturer: 'x', serialNumber: 'y', physicalParameters: { length: 1.2, width: 0.8, speedMax: 1.5 }, typeSpecification: { seriesName: 'S1', agvClass: 'CARRIER' } }, '2.0.0');
    expect(ok.ok && ok.reading.footprint).toEqual({ lengthM: 1.2, widthM: 0.8 });
    expect(ok.ok && ok.reading.capabilities).toMatchObject({ protocol: 'vda5050', protocolVersion: '2.0.0', maxSpeed: 1.5 });
    expect(readFactsheet({ headerId: 0, timestamp: '', version: '2.0.0', manufacturer: 'x', serialNumber: 'y' }, '2.0.0')).toMatchObject({ ok: false });
    expect(readFactsheet({ headerId: 0, timestamp: '', version: '2.0.0', manufacturer: 'x', serialNumber: 'y', physicalParameters: { length: 1200, width: 0.8 } }, '2.0.0')).toMatchObject({ ok: false, detail: expect.stringMatching(/physicalParameters.length/) });
  });
});
