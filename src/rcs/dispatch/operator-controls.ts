import type { Clock } from '../../core/index.ts';
import type { FleetRegistry } from '../fleet/registry.ts';
import type { AgvLink, CommandOutcome } from '../fleet/types.ts';
import type { Logger } from '../logger.ts';
import type { AgvHold, AgvHoldRepository, AgvRepository, EventRepository, EventSeverity } from '../store/types.ts';
import type { LiftRides } from '../traffic/lifts/rides.ts';
import type { FleetCoordinator } from './coordinator.ts';

// What an operator may do to an AGV or the whole fleet: pause, resume, emergency stop and its release, take it out of
// service and back, send it to charge or park. Every action is recorded in the event log with who did it. The
// per-AGV state lives in the AGV's order controller, which dispatch and driving consult; being out of service,
// paused or emergency-stopped is also kept in the store, so it survives a restart. A fleet or group command reaches
// every AGV it names: online ones are told and confirm (or not), offline ones keep the hold and get nothing released
// when they return (a stopped one is sent the stop again as it comes back).

/** An operator action the platform refused; status and code are the HTTP answer (docs/api.md, "Errors"). */
export class AgvControlError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 502 | 504,
    readonly code: 'invalid_request' | 'not_found' | 'invalid_state' | 'agv_refused' | 'agv_timeout',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface AgvControlState {
  id: string;
  inService: boolean;
  paused: boolean;
}

export type FleetCommand = 'pause' | 'resume' | 'stop';

export interface FleetCommandResult {
  command: FleetCommand;
  /** Online AGVs that acknowledged the command in time. */
  confirmed: string[];
  /** Online AGVs that refused it or did not answer within the timeout, with why. */
  unconfirmed: { id: string; code: string; message: string }[];
  /** AGVs of the selection that are offline: the hold is kept for them (told when they return). */
  offline: string[];
}

/** Which AGVs a group command is for; both absent: the whole fleet. */
export interface AgvSelection {
  agvIds?: readonly string[];
  vendor?: string;
}

export interface OperatorControlsOptions {
  clock: Clock;
  registry: FleetRegistry;
  coordinator: FleetCoordinator;
  agvs: Pick<AgvRepository, 'list' | 'get' | 'setInService'>;
  holds: AgvHoldRepository;
  events: EventRepository;
  logger?: Logger;
  /** Lift rides on a site with lifts (retrying a failed relocalisation). */
  rides?: Pick<LiftRides, 'retryMapSwitch'>;
}

export class OperatorControls {
  constructor(private readonly o: OperatorControlsOptions) {}

  /** Applies what the store says about AGVs out of service, paused or stopped (call before the fleet loop starts). */
  async load(): Promise<void> {
    for (const record of await this.o.agvs.list()) if (!record.inService) void this.o.coordinator.controllerOf(record.id).setOutOfService(false);
    for (const { agvId, hold } of await this.o.holds.list()) this.o.coordinator.controllerOf(agvId).restoreHold(hold === 'stopped' ? 'estop' : 'pause');
    this.o.registry.onEvent((event) => {
      if (event.type !== 'online') return;
      const link = this.o.registry.live(event.agvId)?.link;
      // Stopped while away (or before a restart): the vehicle itself is told again, not only the platform's hold.
      if (link && this.o.coordinator.controllerOf(event.agvId).stopped) void link.sendControl('estop');
    });
  }

  state(agvId: string): AgvControlState {
    const c = this.o.coordinator.controllerOf(agvId);
    return { id: agvId, inService: c.inService, paused: c.paused };
  }

  async pause(agvId: string, by: string): Promise<AgvControlState> {
    const link = this.onlineLink(agvId);
    this.confirm(agvId, await this.o.coordinator.controllerOf(agvId).holdAt('pause', link));
    await this.persistHold(agvId, by);
    await this.record('info', 'agv.paused', agvId, `${agvId} paused by ${by}`, by);
    return this.state(agvId);
  }

  async resume(agvId: string, by: string): Promise<AgvControlState> {
    this.onlineLink(agvId);
    const controller = this.o.coordinator.controllerOf(agvId);
    if (controller.stopped) throw new AgvControlError(409, 'invalid_state', `AGV '${agvId}' is emergency-stopped; release the stop instead`, { stopped: true });
    controller.resume();
    await this.persistHold(agvId, by);
    await this.record('info', 'agv.resumed', agvId, `${agvId} resumed by ${by}`, by);
    return this.state(agvId);
  }

  async estop(agvId: string, by: string): Promise<AgvControlState> {
    const link = this.onlineLink(agvId);
    this.confirm(agvId, await this.o.coordinator.controllerOf(agvId).holdAt('estop', link));
    await this.persistHold(agvId, by);
    await this.record('warning', 'agv.estopped', agvId, `${agvId} emergency-stopped by ${by}`, by);
    return this.state(agvId);
  }

  async releaseEstop(agvId: string, by: string): Promise<AgvControlState> {
    const link = this.onlineLink(agvId);
    this.confirm(agvId, await this.o.coordinator.controllerOf(agvId).releaseStop(link));
    await this.persistHold(agvId, by);
    await this.record('info', 'agv.estop_released', agvId, `emergency stop of ${agvId} released by ${by}`, by);
    return this.state(agvId);
  }

  /**
   * The command to every AGV of the selection (default: the whole fleet) at once. An online AGV counts as confirmed
   * when it acknowledged within `timeoutMs`; the platform's own hold (nothing more released) applies to every one of
   * them either way, and to offline ones too, kept in the store.
   */
  async fleet(command: FleetCommand, by: string, timeoutMs: number, selection: AgvSelection = {}): Promise<FleetCommandResult> {
    const ids = await this.select(selection);
    const online = ids.flatMap((id) => {
      const link = this.o.registry.live(id)?.link;
      return link ? [{ id, link }] : [];
    });
    const offline = ids.filter((id) => !this.o.registry.live(id)?.link);
    const outcomes = await Promise.all(online.map(({ id, link }) => this.withTimeout(this.fleetCommandFor(command, id, link), timeoutMs)));
    const result: FleetCommandResult = { command, confirmed: [], unconfirmed: [], offline };
    online.forEach(({ id }, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) result.confirmed.push(id);
      else result.unconfirmed.push({ id, code: outcome.code, message: outcome.message });
    });
    for (const id of offline) {
      const controller = this.o.coordinator.controllerOf(id);
      if (command === 'resume') controller.liftHold();
      else controller.restoreHold(command === 'stop' ? 'estop' : 'pause');
    }
    await Promise.all(ids.map((id) => this.persistHold(id, by)));
    const scope = selection.agvIds || selection.vendor ? 'group' : 'fleet';
    const severity = command === 'stop' || result.unconfirmed.length > 0 ? 'warning' : 'info';
    const unconfirmed = result.unconfirmed.length > 0 ? ` (${result.unconfirmed.map((u) => u.id).join(', ')})` : '';
    const away = offline.length > 0 ? `, ${offline.length} offline (${offline.join(', ')}), held for when they return` : '';
    const message = `${scope} ${command} by ${by}: ${result.confirmed.length} confirmed, ${result.unconfirmed.length} unconfirmed${unconfirmed}${away}`;
    await this.record(severity, `${scope}.${command}`, null, message, by, { selection, confirmed: result.confirmed, unconfirmed: result.unconfirmed, offline });
    return result;
  }

  /** Pauses the online AGVs among `agvIds` (a zone closed around them); returns those that confirmed. */
  async pauseAll(agvIds: readonly string[], by: string): Promise<string[]> {
    if (agvIds.length === 0) return [];
    return (await this.fleet('pause', by, 3_000, { agvIds })).confirmed;
  }

  async resumeAll(agvIds: readonly string[], by: string): Promise<void> {
    if (agvIds.length > 0) await this.fleet('resume', by, 3_000, { agvIds });
  }

  /** Takes the AGV out of service; `handBack` returns a task it has not picked up yet to the queue. */
  async outOfService(agvId: string, by: string, handBack: boolean): Promise<AgvControlState & { handedBack: string | null }> {
    await this.persist(agvId, false);
    const handedBack = await this.o.coordinator.controllerOf(agvId).setOutOfService(handBack);
    const detail = handedBack ? `; task ${handedBack} handed back to the queue` : '';
    await this.record('info', 'agv.out_of_service', agvId, `${agvId} taken out of service by ${by}${detail}`, by, { handedBack: handedBack ?? null });
    return { ...this.state(agvId), handedBack: handedBack ?? null };
  }

  async inService(agvId: string, by: string): Promise<AgvControlState> {
    await this.persist(agvId, true);
    this.o.coordinator.controllerOf(agvId).setInService();
    await this.record('info', 'agv.in_service', agvId, `${agvId} back in service by ${by}`, by);
    return this.state(agvId);
  }

  /**
   * Sends the map switch again to an AGV held in a lift cabin after its relocalisation failed (the automatic
   * retries used up, or the operator does not want to wait for the next).
   */
  async retryMapSwitch(agvId: string, by: string): Promise<AgvControlState> {
    this.onlineLink(agvId);
    const outcome = this.o.rides?.retryMapSwitch(agvId) ?? { ok: false as const, reason: 'this site has no lifts' };
    if (!outcome.ok) throw new AgvControlError(409, 'invalid_state', `cannot retry the map switch of '${agvId}': ${outcome.reason}`);
    await this.record('info', 'lift.map_switch_retried', agvId, `map switch of ${agvId} retried by ${by}`, by);
    return this.state(agvId);
  }

  /** Sends an idle AGV to the nearest free charger or parking node. */
  async sendTo(agvId: string, kind: 'charge' | 'park', by: string): Promise<AgvControlState & { node: string }> {
    this.onlineLink(agvId);
    const controller = this.o.coordinator.controllerOf(agvId);
    if (controller.paused) throw new AgvControlError(409, 'invalid_state', `AGV '${agvId}' is paused or stopped; resume it first`, { paused: true });
    const job = controller.job;
    if (job.kind !== 'idle') throw new AgvControlError(409, 'invalid_state', `AGV '${agvId}' is not idle (${job.kind})`, { job: job.kind });
    const target = this.o.coordinator.freeTarget(agvId, kind);
    if (!target) throw new AgvControlError(409, 'invalid_state', `no free ${kind === 'charge' ? 'charger' : 'parking node'} reachable from where '${agvId}' stands`);
    if (kind === 'charge') controller.goCharge(target.chargerId!, target.node);
    else controller.park(target.node);
    await this.record('info', kind === 'charge' ? 'agv.sent_to_charge' : 'agv.sent_to_park', agvId, `${agvId} sent to ${kind === 'charge' ? `charger ${target.chargerId}` : `parking ${target.node}`} by ${by}`, by);
    return { ...this.state(agvId), node: target.node };
  }

  private fleetCommandFor(command: FleetCommand, agvId: string, link: AgvLink): Promise<CommandOutcome> {
    const controller = this.o.coordinator.controllerOf(agvId);
    if (command === 'pause') return controller.holdAt('pause', link);
    if (command === 'stop') return controller.holdAt('estop', link);
    if (controller.stopped) return controller.releaseStop(link);
    controller.resume();
    return Promise.resolve({ ok: true, latencyMs: 0 });
  }

  /** AGV ids a selection names: listed ids (each must be known), a vendor's, or every AGV the platform knows. */
  private async select(selection: AgvSelection): Promise<string[]> {
    const known = new Map<string, string>();
    for (const record of await this.o.agvs.list()) if (record.admission === 'approved') known.set(record.id, record.vendor);
    for (const agv of this.o.registry.all()) known.set(agv.identity.id, agv.identity.vendor);
    if (selection.agvIds) {
      const unknown = selection.agvIds.filter((id) => !known.has(id));
      if (unknown.length > 0) throw new AgvControlError(404, 'not_found', `unknown AGV ${unknown.join(', ')}`, { unknown });
    }
    const ids = [...(selection.agvIds ?? known.keys())].filter((id) => selection.vendor === undefined || known.get(id) === selection.vendor);
    if ((selection.agvIds || selection.vendor) && ids.length === 0) throw new AgvControlError(404, 'not_found', `no AGV matches the selection${selection.vendor !== undefined ? ` (vendor '${selection.vendor}')` : ''}`);
    return [...new Set(ids)].sort();
  }

  /** Keeps the AGV's hold as its order controller has it now, so a restart keeps it paused or stopped. */
  private async persistHold(agvId: string, by: string): Promise<void> {
    const controller = this.o.coordinator.controllerOf(agvId);
    const hold: AgvHold | null = controller.stopped ? 'stopped' : controller.paused ? 'paused' : null;
    try {
      await this.o.holds.set(agvId, hold, by, this.o.clock.now());
    } catch (err) {
      this.o.logger?.error({ err, agvId }, 'AGV hold not stored');
    }
  }

  private withTimeout(outcome: Promise<CommandOutcome>, timeoutMs: number): Promise<CommandOutcome> {
    let cancel: (() => void) | undefined;
    const timeout = new Promise<CommandOutcome>((resolve) => {
      cancel = this.o.clock.setTimeout(() => resolve({ ok: false, code: 'TIMEOUT', message: `no confirmation within ${timeoutMs} ms` }), timeoutMs);
    });
    return Promise.race([outcome, timeout]).finally(() => cancel?.());
  }

  private onlineLink(agvId: string): AgvLink {
    const live = this.o.registry.live(agvId);
    if (!live) throw new AgvControlError(404, 'not_found', `AGV '${agvId}' not found`);
    if (!live.link) throw new AgvControlError(409, 'invalid_state', `AGV '${agvId}' is offline`, { connection: 'offline' });
    return live.link;
  }

  private confirm(agvId: string, outcome: CommandOutcome): void {
    if (outcome.ok) return;
    throw new AgvControlError(502, 'agv_refused', `AGV '${agvId}' did not carry out the command: ${outcome.code} ${outcome.message}`, { code: outcome.code });
  }

  private async persist(agvId: string, inService: boolean): Promise<void> {
    const record = await this.o.agvs.setInService(agvId, inService);
    if (!record) throw new AgvControlError(404, 'not_found', `AGV '${agvId}' not found`);
  }

  private async record(severity: EventSeverity, type: string, agvId: string | null, message: string, by: string, data: Record<string, unknown> = {}): Promise<void> {
    try {
      await this.o.events.append({ at: this.o.clock.now(), severity, type, message, agvId, taskId: null, data: { by, ...data } });
    } catch (err) {
      // The action happened; a lost log line must not make the operator think it did not.
      this.o.logger?.error({ err, type, agvId }, 'event not stored');
    }
  }
}
