// What central traffic control asks before it grants a move: may this AGV go from → to now? Lift cabins, doors and
// navigation areas answer it (LiftRides implements it); traffic control itself stays free of equipment.

export interface TrafficGate {
  /**
   * Whether the planner may consider moving agvId from → to (a cabin it holds the ride of, a door that has not
   * failed, a navigation area it has a mode for). Called for every candidate move: cheap, no side effects.
   */
  allows(agvId: string, from: string, to: string): boolean;
  /**
   * Called when the move is about to be granted: false holds the AGV before `to` until the equipment is ready
   * (asks a door to open, or the AGV to switch navigation mode at `from`).
   */
  admit(agvId: string, from: string, to: string): boolean;
  /** Nodes every AGV plans around (e.g. behind a door that failed to open), so routes go another way if one exists. */
  walls?(): readonly string[];
  /**
   * Nodes this AGV may never be routed through (navigation areas it has no mode for): its route tables treat them
   * as walls, so it goes round rather than waiting at the edge of the area. The same array for AGVs that share a
   * profile (the planner keeps one set of tables per distinct array).
   */
  offLimits?(agvId: string): readonly string[];
}
