import type { MessageOfKind } from '../protocol/index.ts';

// Plausibility checks on what the peer sent, beyond what the codec already validated (ranges, enums, lengths):
// each returns the problems found, empty when the message makes sense.

type Registration = MessageOfKind<'registerRequest'>;
type GlobalConfig = MessageOfKind<'globalConfig'>;
type Order = MessageOfKind<'motionCommand'>;

const PRINTABLE = /^[^\p{Cc}\p{Cf}]*$/u;

export function registrationProblems(r: Registration): string[] {
  const c = r.capabilities;
  const problems: string[] = [];
  for (const [name, value] of Object.entries({ vendor: r.vendor, model: r.model, serial: r.serial, softwareVersion: r.softwareVersion })) {
    if (!PRINTABLE.test(value)) problems.push(`${name} has control characters`);
  }
  if (r.vendor.trim() === '' || r.serial.trim() === '') problems.push('vendor and serial must not be empty');
  for (const [name, value] of Object.entries({ length: c.length, width: c.width, maxSpeed: c.maxSpeed, maxAcceleration: c.maxAcceleration, maxDeceleration: c.maxDeceleration })) {
    if (value <= 0) problems.push(`capabilities.${name} must be > 0`);
  }
  for (const a of c.actuators) if (a.min > a.max) problems.push(`actuator ${a.type}#${a.index} has min ${a.min} > max ${a.max}`);
  if (c.navigationTypes.length === 0) problems.push('no navigation type declared');
  if (c.maps.length === 0) problems.push('no map declared');
  return problems;
}

export function configProblems(g: GlobalConfig): string[] {
  const problems: string[] = [];
  // Each side pings only a link it has been quiet on (§6 rule 1), so silence of up to two periods is normal: the
  // timeout must be longer than that.
  if (g.heartbeatTimeout <= 2 * g.heartbeatPeriod) problems.push(`heartbeatTimeout ${g.heartbeatTimeout} ms is not longer than twice heartbeatPeriod ${g.heartbeatPeriod} ms`);
  if (g.batteryCritical > g.batteryLow && g.batteryLow !== 0xffff) problems.push(`batteryCritical ${g.batteryCritical} is above batteryLow ${g.batteryLow}`);
  return problems;
}

/** An order's shape: edges join consecutive nodes, sequence ids increase (nodes even, edges odd), released part valid. */
export function orderProblems(o: Order): string[] {
  const problems: string[] = [];
  if (o.nodes.length === 0) return ['order has no nodes'];
  if (o.edges.length !== o.nodes.length - 1) problems.push(`${o.nodes.length} nodes need ${o.nodes.length - 1} edges, got ${o.edges.length}`);
  if (o.releasedNodeCount > o.nodes.length) problems.push(`releasedNodeCount ${o.releasedNodeCount} exceeds ${o.nodes.length} nodes`);
  o.edges.forEach((e, i) => {
    const from = o.nodes[i];
    const to = o.nodes[i + 1];
    if (from && to && (e.startNodeId !== from.nodeId || e.endNodeId !== to.nodeId)) problems.push(`edge ${e.edgeId} does not join nodes ${from.nodeId} and ${to.nodeId}`);
  });
  const ids = o.nodes.flatMap((n, i) => (o.edges[i] ? [n.sequenceId, o.edges[i].sequenceId] : [n.sequenceId]));
  if (ids.some((id, i) => i > 0 && id <= ids[i - 1]!)) problems.push('sequence ids do not increase along the order');
  return problems;
}
