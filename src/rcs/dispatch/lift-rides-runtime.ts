import type { Clock } from '../../core/index.ts';
import { SimulatedDoor } from '../equipment/sim-door.ts';
import { SimulatedLift } from '../equipment/sim-lift.ts';
import type { DoorController, DoorState, LiftController, LiftState } from '../equipment/types.ts';
import type { FleetRegistry } from '../fleet/registry.ts';
import type { AlarmEngine } from '../ops/alarms/engine.ts';
import type { RoutingProfile } from '../site/routable.ts';
import { NAVIGATION_MODES, type NavigationMode, type SiteMap } from '../site/types.ts';
import { LiftRides } from '../traffic/lifts/rides.ts';
import type { TrafficGate } from '../traffic/lifts/gate.ts';
import type { TrafficController } from '../traffic/types.ts';

// The platform's side of lifts, doors and navigation areas: builds LiftRides for a site that has any, with each
// AGV's routing profile read from its registration, map and navigation switches sent over its session, and the
// equipment either given (real lifts behind an MQTT gateway: MqttLift, MqttDoor) or simulated on the platform's
// clock (the demo). Its housekeeping runs on its own timer beside the fleet loop.

/** Whether a site needs LiftRides: several maps, or lifts, doors or navigation areas. */
export function siteNeedsRides(site: SiteMap): boolean {
  return site.maps.length > 1 || site.lifts.length > 0 || site.doors.length > 0 || site.navigationAreas.length > 0;
}

const NOWHERE: readonly string[] = [];

/**
 * A gate for traffic control that is built before LiftRides (which needs traffic control): it forwards to the
 * rides once bound and refuses every lift cabin and door until then.
 */
export class DeferredGate implements TrafficGate {
  private target: TrafficGate | undefined;

  bind(target: TrafficGate): void {
    this.target = target;
  }

  allows(agvId: string, from: string, to: string): boolean {
    return this.target?.allows(agvId, from, to) ?? false;
  }

  admit(agvId: string, from: string, to: string): boolean {
    return this.target?.admit(agvId, from, to) ?? false;
  }

  walls(): readonly string[] {
    return this.target?.walls?.() ?? [];
  }

  offLimits(agvId: string): readonly string[] {
    return this.target?.offLimits?.(agvId) ?? NOWHERE;
  }
}

export interface LiftRidesRuntimeOptions {
  site: SiteMap;
  clock: Clock;
  traffic: TrafficController;
  registry: FleetRegistry;
  /** Real equipment; lifts and doors of the site not given here are simulated on `clock`. */
  lifts?: ReadonlyMap<string, LiftController>;
  doors?: ReadonlyMap<string, DoorController>;
  record(severity: 'info' | 'warning' | 'error', type: string, message: string, agvId?: string): void;
  tickMs?: number;
}

export interface LiftRidesRuntime {
  rides: LiftRides;
  lifts: ReadonlyMap<string, LiftController>;
  doors: ReadonlyMap<string, DoorController>;
  /**
   * Where door failures and AGVs held after failed relocalisation become alarms (operations starts after the
   * rides, so it is bound late); until then, and without operations, they are events only.
   */
  useAlarms(alarms: Pick<AlarmEngine, 'raise' | 'clear'> | undefined): void;
  /** Every lift's and door's state, with the AGV holding each lift's ride and those queued for it (dashboards). */
  view(): { lifts: LiftStatus[]; doors: { id: string; position: DoorState['position']; fault: string | null }[] };
  stop(): void;
}

interface LiftStatus {
  id: string;
  floor: string;
  door: LiftState['door'];
  motion: LiftState['motion'];
  mode: string;
  fault: string | null;
  riders: string[];
  queue: string[];
}

export function startLiftRides(o: LiftRidesRuntimeOptions): LiftRidesRuntime {
  const storey = new Map(o.site.maps.map((m) => [m.id, m.floor ?? 0]));
  const lifts = new Map<string, LiftController>(
    o.site.lifts.map((l) => {
      const floors = [...l.stops].sort((a, b) => storey.get(a.map)! - storey.get(b.map)!).map((s) => s.map);
      return [l.id, o.lifts?.get(l.id) ?? new SimulatedLift({ liftId: l.id, floors, doorS: (l.doorOpenS + l.doorCloseS) / 2, travelSPerFloor: l.travelSPerFloor, clock: o.clock })];
    }),
  );
  const doors = new Map<string, DoorController>(o.site.doors.map((d) => [d.id, o.doors?.get(d.id) ?? new SimulatedDoor({ doorId: d.id, travelS: d.openS, clock: o.clock })]));
  // Asked for every AGV in every planning round (route classes): kept per registration and link, which are new
  // objects whenever what a profile is made of can change.
  const profiles = new WeakMap<object, { link: unknown; profile: RoutingProfile }>();
  const profileOf = (agvId: string): RoutingProfile => {
    const live = o.registry.live(agvId);
    const identity = live?.identity;
    if (!identity) return buildProfile(live);
    const known = profiles.get(identity);
    if (known && known.link === live.link) return known.profile;
    const profile = buildProfile(live);
    profiles.set(identity, { link: live.link, profile });
    return profile;
  };
  const buildProfile = (live: ReturnType<typeof o.registry.live>): RoutingProfile => {
    const identity = live?.identity;
    const declared = (identity?.capabilities as { navigationTypes?: unknown } | undefined)?.navigationTypes;
    const navigation = Array.isArray(declared) ? declared.filter((m): m is NavigationMode => (NAVIGATION_MODES as readonly string[]).includes(m as string)) : [];
    const body = identity?.footprint;
    // The VDA 5050 bridge never releases a lift ride (docs/vda5050.md): such AGVs get only same-floor work.
    return { navigation, bodyM: body ? Math.max(body.lengthM, body.widthM) : 0, liftRides: live?.link?.protocol?.name !== 'vda5050' };
  };
  let alarms: Pick<AlarmEngine, 'raise' | 'clear'> | undefined;
  const alarmFailed = (err: unknown) => o.record('warning', 'alarm.not_stored', `lift/door alarm not stored: ${err instanceof Error ? err.message : String(err)}`);
  const rides = new LiftRides({
    site: o.site,
    traffic: o.traffic,
    lifts,
    doors,
    profileOf,
    event: o.record,
    alarm: (key, code, message, agvId) => {
      if (!alarms) return;
      const done = message === undefined ? alarms.clear(key) : alarms.raise({ key, source: 'platform', code, severity: 'error', agvId: agvId ?? null, taskId: null, message });
      done.catch(alarmFailed);
    },
    switchMap: async (agvId, request) => {
      const link = o.registry.live(agvId)?.link;
      if (!link?.sendMapSwitch) return { ok: false, detail: link ? 'the AGV cannot switch maps' : 'the AGV is offline' };
      return link.sendMapSwitch(request);
    },
    switchNavigation: async (agvId, request) => {
      const link = o.registry.live(agvId)?.link;
      if (!link?.sendNavSwitch) return { ok: false, detail: link ? 'the AGV cannot switch navigation modes' : 'the AGV is offline' };
      return link.sendNavSwitch(request);
    },
  });
  // The mode an AGV reports is the one it navigates with now.
  const unsubscribe = o.registry.onEvent((event) => {
    if (event.type !== 'status') return;
    const mode = event.status.navMode;
    if (mode && (NAVIGATION_MODES as readonly string[]).includes(mode)) rides.setNavigationMode(event.agvId, mode as NavigationMode);
  });
  let cancel: (() => void) | undefined;
  const tick = () => {
    rides.tick(o.clock.now());
    cancel = o.clock.setTimeout(tick, o.tickMs ?? 250);
  };
  tick();
  return {
    rides,
    lifts,
    doors,
    useAlarms: (engine) => {
      alarms = engine;
    },
    view: () => ({
      lifts: [...lifts.values()].map((lift) => {
        const s = lift.state();
        const serving = rides.scheduler.serving(lift.liftId);
        const riders = serving && serving.phase !== 'called' ? [serving.agvId] : [];
        const queue = rides.scheduler.queueOf(lift.liftId).filter((id) => !riders.includes(id));
        return { id: lift.liftId, floor: s.floor, door: s.door, motion: s.motion, mode: s.mode, fault: s.fault, riders, queue };
      }),
      doors: [...doors.values()].map((door) => {
        const s = door.state();
        return { id: door.doorId, position: s.position, fault: s.fault };
      }),
    }),
    stop: () => {
      cancel?.();
      unsubscribe();
    },
  };
}
