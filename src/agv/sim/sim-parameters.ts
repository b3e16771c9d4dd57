import type { ParamResult, ParamValue } from '../sdk/types.ts';
import type { VirtualAgv } from './virtual-agv.ts';

// The simulated vehicle's basic parameters (docs/protocol.md, ParamId), each with the range its firmware accepts.
// A set is all or nothing, as the protocol demands: one value out of range and none is applied. maxLinearSpeed
// really caps the body's speed, so a parameter change is visible in how the AGV drives.

type ParamName = ParamValue['param'];

interface Limit {
  min: number;
  max: number;
  readOnly?: boolean;
}

export class SimParameters {
  private readonly values = new Map<ParamName, number>();
  private readonly limits = new Map<ParamName, Limit>();

  constructor(private readonly body: VirtualAgv) {
    const p = body.profile;
    const top = Math.round(p.maxSpeedMps * 1000);
    this.define('maxLinearSpeed', top, { min: 50, max: top });
    this.define('maxLinearAcceleration', Math.round(p.accelMps2 * 1000), { min: 0, max: 0, readOnly: true });
    this.define('positionTolerance', 10, { min: 1, max: 100 });
    this.define('headingTolerance', 35, { min: 1, max: 350 });
    this.define('obstacleStopDistance', 500, { min: 100, max: 3000 });
    this.define('soundVolume', 50, { min: 0, max: 100 });
    this.define('chargeStartLevel', 200, { min: 50, max: 900 });
    this.define('chargeStopLevel', 900, { min: 100, max: 1000 });
  }

  all(): ParamValue[] {
    return [...this.values].map(([param, value]) => ({ param, value }));
  }

  set(values: readonly ParamValue[]): ParamResult[] {
    const results: ParamResult[] = values.map(({ param, value }) => {
      const limit = this.limits.get(param);
      if (!limit) return { param, result: 'unknownParam' };
      if (limit.readOnly) return { param, result: 'readOnly' };
      return { param, result: value < limit.min || value > limit.max ? 'outOfRange' : 'ok' };
    });
    if (results.some((r) => r.result !== 'ok')) return results;
    for (const { param, value } of values) this.values.set(param, value);
    this.body.speedCapMps = this.values.get('maxLinearSpeed')! / 1000;
    return results;
  }

  private define(param: ParamName, value: number, limit: Limit): void {
    this.values.set(param, value);
    this.limits.set(param, limit);
  }
}
