// The site map is human-facing: metres, seconds and radians. The session boundary converts to the protocol's mm / mrad.
//
// A site is ONE graph over all of its maps (floors of one building, several buildings): every node says which map
// it is on, and lift rides are edges between the cabin nodes of two floors. So one planning core plans a route
// across floors exactly like a route across one hall; the lift, door and navigation data below say what a route
// through those edges needs (a ride, an open door, a navigation mode).

export type NodeKind = 'waypoint' | 'station' | 'charger' | 'parking';

/**
 * Navigation (localisation) modes, named as the protocol's NavType names them, so an AGV's registered
 * `navigationTypes` compare with the site's navigation areas directly.
 */
export const NAVIGATION_MODES = ['laserSlam', 'qrCode', 'magneticTape', 'reflector', 'visualSlam', 'inertial', 'gnss', 'uwb'] as const;
export type NavigationMode = (typeof NAVIGATION_MODES)[number];

/** Pose of a map's coordinate frame in its building's frame (m, rad); identity when a map does not say. */
export interface MapFrame {
  x: number;
  y: number;
  theta: number;
}

/** One map of the site: a floor of a building, with its own coordinate frame; AGVs localise on one map at a time. */
export interface FloorMap {
  /** The map id AGVs report in their pose; unique in the site. */
  id: string;
  name: string;
  /** Building this map belongs to; maps of one building share a lift shaft's vertical axis. */
  building?: string;
  /** Storey number within the building (0 ground, negative below); lifts travel between storeys. */
  floor?: number;
  /** Where this map's origin sits in its building's frame: converts poses between the floors a lift joins. */
  frame: MapFrame;
}

export interface SiteNode {
  id: string;
  /** The map (FloorMap.id) this node is on; its x / y / theta are in that map's frame. */
  map: string;
  /** Metres in the map's coordinate system. */
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

/**
 * 'drive': the AGV drives it on one map. 'lift': a lift ride between the cabin nodes of two floors, derived from
 * `lifts` when the site is loaded (never written in a file); its length / maxSpeed is the nominal ride time.
 */
export type EdgeKind = 'drive' | 'lift';

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
  /** Absent means 'drive'. */
  kind?: EdgeKind;
  /** For a 'lift' edge: the lift (Lift.id) whose ride it is. */
  lift?: string;
  /**
   * Largest body (longest side, m) that may drive this edge, where a passage is narrower than the lane it joins
   * (a door, a pillar, a narrow spur). Absent: any body the site's layout places there.
   */
  maxBodyM?: number;
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

/** A lift stop: the node on one map where the cabin stands (an AGV inside the cabin stands on it). */
export interface LiftStop {
  map: string;
  node: string;
}

/** How many AGVs up to a body size ride at once: e.g. two of up to 1.1 m, or one of up to 1.8 m. */
export interface LiftCapacity {
  /** Longest body side (m) of every AGV in the ride. */
  maxBodyM: number;
  count: number;
}

export interface Lift {
  id: string;
  name: string;
  /** One stop per map served, at most one per map; the maps must have distinct `floor`s of one building. */
  stops: LiftStop[];
  /** Inside dimensions of the cabin (m). */
  cabin: { lengthM: number; widthM: number };
  /**
   * Ride loads that fit, sorted by maxBodyM ascending once loaded. A ride's load is bounded by the entry whose
   * maxBodyM covers its largest body; an AGV larger than the last entry never rides this lift.
   */
  capacity: LiftCapacity[];
  /** Seconds for the doors to open and to close. */
  doorOpenS: number;
  doorCloseS: number;
  /** Seconds of travel per storey between two stops. */
  travelSPerFloor: number;
}

/** A fire door (closed on alarm) or a roller door (between halls, to the outside): on an edge, must open to pass. */
export type DoorKind = 'fire' | 'roller';

export interface Door {
  id: string;
  /** The edge (SiteEdge.id, a 'drive' edge) the door stands on, in both directions when the edge is two-way. */
  edge: string;
  kind: DoorKind;
  /** Seconds from the open command until an AGV may pass. */
  openS: number;
  /** Clear width (m) when open; bodies longer than this never pass. Absent: not narrower than the lane. */
  widthM?: number;
}

/**
 * Where a navigation mode is needed: every listed node, and every edge whose two ends lie in the area, needs one of
 * `modes`. Nodes in no area take any mode. An AGV switches modes at a node that allows both its current mode and
 * the next one (`navigationSwitchPoints`).
 */
export interface NavigationArea {
  id: string;
  modes: NavigationMode[];
  nodes: string[];
}

export interface SiteMap {
  /** The site's id. For a single-map file also the id of its one map. */
  id: string;
  name: string;
  /** The maps of the site; a single-map file has one, with the site's id and name. */
  maps: FloorMap[];
  nodes: SiteNode[];
  /** Drive edges as written, then one 'lift' edge per pair of stops of every lift. */
  edges: SiteEdge[];
  stations: Station[];
  chargers: Charger[];
  parking: ParkingSpot[];
  lifts: Lift[];
  doors: Door[];
  navigationAreas: NavigationArea[];
}
