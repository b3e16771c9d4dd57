// The site map is human-facing: metres and radians. The session boundary converts to the protocol's mm / mrad.

export type NodeKind = 'waypoint' | 'station' | 'charger' | 'parking';

export interface SiteNode {
  id: string;
  /** Metres in the site's coordinate system. */
  x: number;
  y: number;
  /** Preferred heading at this node in radians (e.g. facing a rack or a charger), if it matters. */
  theta?: number;
  kind: NodeKind;
  stationId?: string;
  chargerId?: string;
  /**
   * AGVs may drive through but never stop here, e.g. a link that crosses a lane's clearance into a station bay:
   * an AGV standing on it would cover the lane for big bodies. Traffic control grants such a node only together
   * with the next node of the route where the AGV may stop.
   */
  noStop?: boolean;
}

export interface SiteEdge {
  id: string;
  from: string;
  to: string;
  /** Metres; the travel length, which may exceed the straight-line distance (curves). */
  length: number;
  /** Metres per second. */
  maxSpeed: number;
  /** When true the edge may be driven to → from too; otherwise it is one-way from → to. */
  bidirectional?: boolean;
}

export type StationKind = 'pick' | 'drop' | 'both';

export interface Station {
  id: string;
  node: string;
  kind: StationKind;
}

export interface Charger {
  id: string;
  node: string;
}

export interface ParkingSpot {
  id: string;
  node: string;
}

export interface SiteMap {
  /** Also the map id AGVs report in their pose. */
  id: string;
  name: string;
  nodes: SiteNode[];
  edges: SiteEdge[];
  stations: Station[];
  chargers: Charger[];
  parking: ParkingSpot[];
}
