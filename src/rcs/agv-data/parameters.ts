import { ParamId } from '../../protocol/index.ts';
import { AgvControlError } from '../dispatch/operator-controls.ts';
import type { FleetRegistry } from '../fleet/registry.ts';
import type { AgvLink, AnswerOutcome, ParamResult, ParamValue } from '../fleet/types.ts';
import type { Clock } from '../../core/index.ts';
import type { Logger } from '../logger.ts';
import type { EventRepository } from '../store/types.ts';

// An AGV's basic parameters read and changed over the protocol's paramQuery/paramReport and paramSet/paramSetAck
// (docs/protocol.md §6). The AGV is the only keeper of its parameters: nothing is cached, every read asks it. A set
// is all or nothing on the AGV; any verdict other than ok is answered as a refusal with the per-parameter results.

/** Parameter names the protocol defines, with their unit. */
export const PARAMETER_UNITS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.keys(ParamId.values).map((name) => [name, ParamId.valueDocs[name as keyof typeof ParamId.values] ?? '']),
);

export interface ParameterReading {
  agvId: string;
  params: (ParamValue & { unit: string })[];
}

export interface ParameterChange {
  agvId: string;
  results: ParamResult[];
}

export class AgvParameters {
  constructor(
    private readonly o: { registry: FleetRegistry; events: EventRepository; clock: Clock; logger?: Logger },
  ) {}

  async read(agvId: string, names: readonly string[]): Promise<ParameterReading> {
    checkNames(names);
    const link = this.link(agvId);
    const params = answered(agvId, 'paramQuery', await link.queryParams!(names));
    return { agvId, params: params.map((p) => ({ ...p, unit: PARAMETER_UNITS[p.param] ?? '' })) };
  }

  async write(agvId: string, values: readonly ParamValue[], by: string): Promise<ParameterChange> {
    checkNames(values.map((v) => v.param));
    const seen = new Set<string>();
    for (const v of values) {
      if (seen.has(v.param)) throw new AgvControlError(400, 'invalid_request', `parameter '${v.param}' is given twice`);
      seen.add(v.param);
    }
    const link = this.link(agvId);
    const results = answered(agvId, 'paramSet', await link.setParams!(values));
    const refused = results.filter((r) => r.result !== 'ok');
    const summary = values.map((v) => `${v.param}=${v.value}`).join(', ');
    if (refused.length > 0 || results.length !== values.length) {
      await this.record('warning', 'agv.params_refused', agvId, `${agvId} refused parameters ${summary} set by ${by}`, by, { values, results });
      throw new AgvControlError(502, 'agv_refused', `AGV '${agvId}' refused the parameters: ${refused.map((r) => `${r.param} ${r.result}`).join(', ') || 'incomplete answer'}`, { results });
    }
    await this.record('info', 'agv.params_set', agvId, `${agvId} parameters ${summary} set by ${by}`, by, { values });
    return { agvId, results };
  }

  private link(agvId: string): AgvLink {
    const live = this.o.registry.live(agvId);
    if (!live) throw new AgvControlError(404, 'not_found', `AGV '${agvId}' not found`);
    if (!live.link) throw new AgvControlError(409, 'invalid_state', `AGV '${agvId}' is offline`, { connection: 'offline' });
    if (!live.link.queryParams || !live.link.setParams) throw new AgvControlError(409, 'invalid_state', `the connection of AGV '${agvId}' carries no parameter messages`);
    return live.link;
  }

  private async record(severity: 'info' | 'warning', type: string, agvId: string, message: string, by: string, data: Record<string, unknown>): Promise<void> {
    try {
      await this.o.events.append({ at: this.o.clock.now(), severity, type, message, agvId, taskId: null, data: { by, ...data } });
    } catch (err) {
      this.o.logger?.error({ err, type, agvId }, 'event not stored');
    }
  }
}

function checkNames(names: readonly string[]): void {
  const unknown = names.filter((n) => !(n in PARAMETER_UNITS));
  if (unknown.length > 0) throw new AgvControlError(400, 'invalid_request', `unknown parameter ${unknown.map((n) => `'${n}'`).join(', ')}; known: ${Object.keys(PARAMETER_UNITS).join(', ')}`);
}

/** The AGV's answer, or the HTTP-shaped error for a refusal (502) or silence (504). */
export function answered<T>(agvId: string, request: string, outcome: AnswerOutcome<T>): T {
  if (outcome.ok) return outcome.value;
  if (outcome.code === 'TIMEOUT') throw new AgvControlError(504, 'agv_timeout', `AGV '${agvId}' did not answer ${request}: ${outcome.message}`);
  throw new AgvControlError(502, 'agv_refused', `AGV '${agvId}' refused ${request}: ${outcome.code} ${outcome.message}`, { code: outcome.code });
}
