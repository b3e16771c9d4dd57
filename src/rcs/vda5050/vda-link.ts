import type { Clock } from '../../core/index.ts';
import type { AgvAlarm, AgvLink, CommandOutcome, ControlCommand, LoadAction, MotionOrder } from '../fleet/types.ts';
import { actionRefusal, loadAction, orderGraph, orderRefusal, VDA_ERROR_CODES, type OrderSite } from './convert.ts';
import type { VdaAction, VdaState } from './wire.ts';

// One VDA 5050 AGV as the fleet runtime sees it: the same AgvLink the guide-protocol session implements. VDA has
// no acknowledgements, so a command counts as carried out when the AGV's state shows it (the order id and update
// id taken up, the instant action's state), as refused when the state carries an error naming it, and as ignored
// when neither happens within the command timeout (then an alarm stays raised until the AGV takes an order).

export interface VdaAgvAddress {
  manufacturer: string;
  serialNumber: string;
  /** Topic level: 'v2', 'v3'. */
  major: string;
}

export interface VdaLinkContext {
  clock: Clock;
  site: OrderSite;
  /** `loadType` parameter of pick/drop actions. */
  loadType: string;
  commandTimeoutMs: number;
  /** Publishes on the AGV's `order` or `instantActions` topic (the bridge adds the header). */
  publish(link: VdaAgvLink, topic: 'order' | 'instantActions', body: Record<string, unknown>): void;
  recordLatency(kind: string, ms: number): void;
  /** A command was neither taken up nor refused in time. */
  ignored(link: VdaAgvLink, what: string): void;
  closed(link: VdaAgvLink, reason: string): void;
}

interface Pending {
  what: string;
  /** Outcome from a state: undefined while the state does not tell yet. */
  judge(state: VdaState): CommandOutcome | undefined;
  sentAt: number;
  deadline: number;
  /** Re-sent unchanged after the broker connection came back (VDA AGVs drop a repeated order or action id). */
  resend(): void;
  resolve(outcome: CommandOutcome): void;
}

interface VdaOrderTrack {
  orderId: string;
  updateId: number;
  /** Last base node and its sequence id: where the next update stitches. */
  lastBaseNode: string;
  lastBaseSeq: number;
}

const RUNNING_OR_DONE = new Set(['WAITING', 'INITIALIZING', 'RUNNING', 'PAUSED', 'FINISHED']);

export class VdaAgvLink implements AgvLink {
  readonly mode = 'normal' as const;
  readonly protocol: { name: 'vda5050'; version: string };
  lastState: VdaState | undefined;
  private order: VdaOrderTrack | undefined;
  private pending: Pending[] = [];
  private nextActionId = 1;
  private isClosed = false;
  /** Raised while the AGV ignores orders (cleared when it takes one up). */
  orderTimeoutAlarm: AgvAlarm | undefined;

  constructor(
    readonly agvId: string,
    readonly address: VdaAgvAddress,
    version: string,
    private readonly ctx: VdaLinkContext,
  ) {
    this.protocol = { name: 'vda5050', version };
  }

  get closed(): boolean {
    return this.isClosed;
  }

  sendMotion(motion: MotionOrder): Promise<CommandOutcome> {
    const first = motion.released[0]?.nodeId;
    if (first === undefined) return Promise.resolve({ ok: false, code: 'EMPTY', message: 'an order needs at least one released node' });
    const cur = this.order;
    // Continuing where the AGV's current order ends is an update of it (VDA stitching); anything else a new order.
    const stitches = cur !== undefined && cur.lastBaseNode === first && this.lastState?.orderId === cur.orderId;
    const orderId = stitches ? cur.orderId : `uf-${motion.orderId}-${motion.updateId}`;
    const updateId = stitches ? cur.updateId + 1 : 0;
    const graph = orderGraph(motion, this.ctx.site, stitches ? cur.lastBaseSeq : 0);
    this.order = { orderId, updateId, lastBaseNode: motion.released[motion.released.length - 1]!.nodeId, lastBaseSeq: graph.lastBaseSequenceId };
    return this.sendOrder(orderId, updateId, graph.nodes, graph.edges, cur);
  }

  sendLoadAction(action: LoadAction, stationId: string): Promise<CommandOutcome> {
    const node = this.lastState?.lastNodeId;
    const pos = node === undefined ? undefined : this.ctx.site.position(node);
    if (node === undefined || !pos) return Promise.resolve({ ok: false, code: 'NOT_ON_NODE', message: `${this.agvId} reports no site node to ${action} at` });
    // A one-node order at the node the AGV stands on, carrying the pick/drop: VDA's pick and drop are node actions.
    const orderId = `uf-${action}-${this.ctx.clock.now()}-${this.nextActionId++}`;
    const previous = this.order;
    this.order = { orderId, updateId: 0, lastBaseNode: node, lastBaseSeq: 0 };
    const nodes = [{ nodeId: node, sequenceId: 0, released: true, nodePosition: { x: pos.x, y: pos.y, mapId: this.ctx.site.mapId }, actions: [loadAction(action, `${orderId}-a`, stationId, this.ctx.loadType)] }];
    return this.sendOrder(orderId, 0, nodes, [], previous);
  }

  sendControl(command: ControlCommand): Promise<CommandOutcome> {
    // VDA has no remote e-stop: the platform's stop is a pause (the AGV halts at once and keeps its order).
    const actionType = ({ pause: 'startPause', estop: 'startPause', resume: 'stopPause', 'release-estop': 'stopPause', cancel: 'cancelOrder' } as const)[command];
    if (command === 'cancel') this.order = undefined;
    return this.instant(actionType, []);
  }

  sendCharging(start: boolean): Promise<CommandOutcome> {
    return this.instant(start ? 'startCharging' : 'stopCharging', []);
  }

  /** Asks the AGV to publish its state now (after the broker connection came back) or its factsheet. */
  request(actionType: 'stateRequest' | 'factsheetRequest'): void {
    this.ctx.publish(this, 'instantActions', { instantActions: [{ actionType, actionId: this.newActionId(), blockingType: 'NONE' }] });
  }

  close(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.settleAll({ ok: false, code: 'CLOSED', message: `link closed: ${reason}` });
    this.ctx.closed(this, reason);
  }

  // ---- from the bridge ----

  onState(state: VdaState): void {
    this.lastState = state;
    if (this.pending.length === 0) return;
    const now = this.ctx.clock.now();
    this.pending = this.pending.filter((p) => {
      const outcome = p.judge(state);
      if (!outcome) return true;
      if (outcome.ok) outcome.latencyMs = now - p.sentAt;
      p.resolve(outcome);
      return false;
    });
  }

  /** Commands past their deadline: resolved as ignored. */
  sweep(now: number): void {
    if (this.pending.length === 0) return;
    this.pending = this.pending.filter((p) => {
      if (now < p.deadline) return true;
      this.ctx.ignored(this, p.what);
      p.resolve({ ok: false, code: 'TIMEOUT', message: `${p.what} not taken up within ${this.ctx.commandTimeoutMs} ms` });
      return false;
    });
  }

  /** The broker connection came back: commands not yet seen in a state go out again. */
  resendPending(): void {
    for (const p of this.pending) p.resend();
  }

  alarms(): AgvAlarm[] {
    return this.orderTimeoutAlarm ? [this.orderTimeoutAlarm] : [];
  }

  // ---- internals ----

  private sendOrder(orderId: string, orderUpdateId: number, nodes: unknown[], edges: unknown[], previous: VdaOrderTrack | undefined): Promise<CommandOutcome> {
    const body = { orderId, orderUpdateId, nodes, edges };
    return this.expect(`order ${orderId}/${orderUpdateId}`, 'order', body, (state) => {
      if (state.orderId === orderId && state.orderUpdateId >= orderUpdateId) {
        this.orderTimeoutAlarm = undefined;
        return { ok: true, latencyMs: 0 };
      }
      const refusal = orderRefusal(state, orderId, orderUpdateId);
      if (!refusal) return undefined;
      // Build the next order on what the AGV really has, not on the refused one.
      if (this.order?.orderId === orderId && this.order.updateId === orderUpdateId) this.order = previous;
      return { ok: false, code: refusal.errorType, message: refusal.errorDescription ?? refusal.errorType };
    }, 'order');
  }

  private instant(actionType: string, params: VdaAction['actionParameters']): Promise<CommandOutcome> {
    const action: VdaAction = { actionType, actionId: this.newActionId(), blockingType: actionType === 'startCharging' || actionType === 'stopCharging' ? 'HARD' : 'NONE', ...(params && params.length > 0 ? { actionParameters: params } : {}) };
    return this.expect(`instant action ${actionType}`, 'instantActions', { instantActions: [action] }, (state) => {
      const seen = state.actionStates.find((a) => a.actionId === action.actionId);
      if (seen && RUNNING_OR_DONE.has(seen.actionStatus)) return { ok: true, latencyMs: 0 };
      const refusal = actionRefusal(state, action.actionId);
      // Nothing to cancel is what a cancel wants; an AGV already paused is paused.
      if (refusal?.errorType === 'noOrderToCancel') return { ok: true, latencyMs: 0 };
      if (seen?.actionStatus === 'FAILED' || refusal) return { ok: false, code: refusal?.errorType ?? 'FAILED', message: refusal?.errorDescription ?? seen?.resultDescription ?? `${actionType} failed` };
      return undefined;
    }, 'instantAction');
  }

  private expect(what: string, topic: 'order' | 'instantActions', body: Record<string, unknown>, judge: Pending['judge'], latencyKind: string): Promise<CommandOutcome> {
    if (this.isClosed) return Promise.resolve({ ok: false, code: 'CLOSED', message: 'link is closed' });
    const now = this.ctx.clock.now();
    return new Promise<CommandOutcome>((resolve) => {
      this.pending.push({
        what,
        judge,
        sentAt: now,
        deadline: now + this.ctx.commandTimeoutMs,
        resend: () => this.ctx.publish(this, topic, body),
        resolve: (outcome) => {
          if (outcome.ok) this.ctx.recordLatency(latencyKind, outcome.latencyMs);
          resolve(outcome);
        },
      });
      this.ctx.publish(this, topic, body);
    });
  }

  private settleAll(outcome: CommandOutcome): void {
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) p.resolve(outcome);
  }

  private newActionId(): string {
    return `uf-${this.agvId}-${this.ctx.clock.now()}-${this.nextActionId++}`;
  }
}

/** The alarm an ignored order raises (the AGV's own errors come with its state). */
export function orderTimeoutAlarm(what: string, timeoutMs: number): AgvAlarm {
  return { code: VDA_ERROR_CODES.orderTimeout!, severity: 'error', message: `orderTimeout: ${what} not taken up within ${timeoutMs} ms` };
}
