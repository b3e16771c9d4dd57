import type { Clock } from '../../core/index.ts';
import { AgvControlError } from '../dispatch/operator-controls.ts';
import type { FleetRegistry } from '../fleet/registry.ts';
import type { Logger } from '../logger.ts';
import type { RunningDataRepository, RunningDataSample } from '../store/types.ts';
import { runInSlices } from '../../core/slices.ts';
import { answered } from './parameters.ts';

/** Longest stretch (ms) of sending requests before frames that arrived meanwhile are read. */
const REQUEST_SLICE_MS = 5;

// Running data (odometry, counters, diagnostics; docs/protocol.md runningData) asked of every online AGV once per
// period and stored as samples, so a dashboard can chart them and an operator can read an AGV's history after it is
// gone. An AGV that does not provide running data (nack) or stays silent is skipped until the next round; one slow
// AGV never delays the others, and a round still running when the next is due is not doubled.

export interface RunningDataOptions {
  clock: Clock;
  registry: FleetRegistry;
  samples: RunningDataRepository;
  /** 0: no periodic requests (an operator may still ask for a sample). */
  periodMs: number;
  retentionMs: number;
  logger?: Logger;
}

export class RunningDataCollector {
  private cancel: (() => void) | undefined;
  private round: Promise<void> | undefined;

  constructor(private readonly o: RunningDataOptions) {}

  start(): void {
    if (this.o.periodMs <= 0 || this.cancel) return;
    const tick = (): void => {
      this.round ??= this.collectAll().finally(() => (this.round = undefined));
      this.cancel = this.o.clock.setTimeout(tick, this.o.periodMs);
    };
    this.cancel = this.o.clock.setTimeout(tick, this.o.periodMs);
  }

  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
    await this.round;
  }

  /** Asks one AGV now and stores the sample; errors are the API's (404, 409, 502 refused, 504 silent). */
  async sample(agvId: string): Promise<RunningDataSample> {
    const live = this.o.registry.live(agvId);
    if (!live) throw new AgvControlError(404, 'not_found', `AGV '${agvId}' not found`);
    const link = live.link;
    if (!link) throw new AgvControlError(409, 'invalid_state', `AGV '${agvId}' is offline`, { connection: 'offline' });
    if (!link.requestRunningData) throw new AgvControlError(409, 'invalid_state', `the connection of AGV '${agvId}' carries no running data`);
    const reading = answered(agvId, 'runningDataRequest', await link.requestRunningData());
    const sample: RunningDataSample = { agvId, at: this.o.clock.now(), ...reading };
    await this.o.samples.append(sample);
    return sample;
  }

  history(agvId: string, since: number, limit: number): Promise<RunningDataSample[]> {
    return this.o.samples.list(agvId, since, limit);
  }

  /** One round over every online AGV, then old samples pruned. */
  async collectAll(): Promise<void> {
    const online = [...this.o.registry.all()].filter((agv) => agv.link?.requestRunningData).map((agv) => agv.identity.id);
    const answers: Promise<unknown>[] = [];
    const ask = (id: string) => answers.push(this.sample(id).catch((err: unknown) => this.o.logger?.debug({ err, agvId: id }, 'no running data this round')));
    // The requests go out over several event-loop turns: at 10,000 AGVs sending them all at once held the loop
    // for a quarter of a second.
    await runInSlices(
      (function* () {
        for (const id of online) yield ask(id);
      })(),
      REQUEST_SLICE_MS,
    );
    await Promise.all(answers);
    await this.o.samples.prune(this.o.clock.now() - this.o.retentionMs).catch((err: unknown) => this.o.logger?.error({ err }, 'running data not pruned'));
  }
}
