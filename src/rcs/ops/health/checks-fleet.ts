import { TERMINAL_TASK_STATES } from '../ports.ts';
import type { HealthCheck } from './types.ts';

// Checks over the AGVs and the chargers.

const MAX_SUBJECTS = 20;
const ids = (items: { id: string }[]): string[] => items.slice(0, MAX_SUBJECTS).map((a) => a.id);
const pct = (n: number, of: number): string => `${n} of ${of} (${Math.round((100 * n) / Math.max(1, of))}%)`;

export const fleetChecks: HealthCheck[] = [
  {
    id: 'agv.offline',
    area: 'agvs',
    run({ agvs, now, thresholds }) {
      const offline = agvs.filter((a) => a.connection === 'offline' || now - a.lastSeen > thresholds.heartbeatTimeoutMs);
      if (offline.length === 0) return [];
      const holding = offline.filter((a) => a.heldNodes.length > 0);
      return [
        {
          risk: holding.length > 0 ? 'high' : 'low',
          title: `${pct(offline.length, agvs.length)} AGVs are offline`,
          impact: holding.length > 0
            ? `${holding.length} offline AGVs still hold reserved paths, which blocks traffic behind them`
            : 'offline AGVs reduce fleet capacity',
          fix: 'check the AGVs\' network (Wi-Fi roaming, access point coverage) and power; clear their reservations from the AGV page once they are moved off the route',
          subjects: ids(holding.length > 0 ? holding : offline),
        },
      ];
    },
  },
  {
    id: 'agv.error_state',
    area: 'agvs',
    run({ agvs }) {
      const failing = agvs.filter((a) => a.connection === 'online' && (a.state === 'error' || a.emergencyStop));
      if (failing.length === 0) return [];
      return [
        {
          risk: 'high',
          title: `${failing.length} AGVs are in error or emergency stop`,
          impact: 'they cannot take tasks and may block aisles',
          fix: 'inspect the AGVs on site, resolve the cause shown in the alarm centre, then release the e-stop',
          subjects: ids(failing),
        },
      ];
    },
  },
  {
    id: 'agv.low_battery',
    area: 'agvs',
    run({ agvs, thresholds }) {
      const low = agvs.filter((a) => a.connection === 'online' && a.statusKnown !== false && !a.charging && a.battery < thresholds.lowBatteryPct);
      if (low.length === 0) return [];
      const critical = low.filter((a) => a.battery < thresholds.criticalBatteryPct);
      return [
        {
          risk: critical.length > 0 ? 'high' : 'low',
          title: `${low.length} AGVs below ${thresholds.lowBatteryPct}% battery and not charging`,
          impact: critical.length > 0 ? `${critical.length} may stop on the route before reaching a charger` : 'fewer AGVs available soon',
          fix: 'check that charging is dispatched (enough free chargers, charge threshold in global config) and that chargers work',
          subjects: ids(critical.length > 0 ? critical : low),
        },
      ];
    },
  },
  {
    id: 'agv.localisation',
    area: 'agvs',
    run({ agvs, thresholds }) {
      const poor = agvs.filter((a) => a.connection === 'online' && a.localisationScore !== null && a.localisationScore < thresholds.minLocalisationScore);
      if (poor.length === 0) return [];
      return [
        {
          risk: poor.length > Math.max(2, agvs.length * 0.1) ? 'high' : 'low',
          title: `${poor.length} AGVs report a poor localisation score`,
          impact: 'AGVs may stop or deviate; if many are affected the site map or reflectors/QR codes may have changed',
          fix: 'clean sensors, check QR codes/reflectors in the affected area, re-map if the layout changed',
          subjects: ids(poor),
        },
      ];
    },
  },
  {
    id: 'agv.insecure_channel',
    area: 'agvs',
    run({ agvs }) {
      const plain = agvs.filter((a) => a.connection === 'online' && a.mode === 'normal');
      if (plain.length === 0) return [];
      return [
        {
          risk: 'low',
          title: `${pct(plain.length, agvs.length)} AGVs connect in normal (unencrypted) mode`,
          impact: 'commands and status travel unauthenticated and in clear text on the site network',
          fix: 'enrol the AGVs\' SM2 public keys and switch them to secure mode',
          subjects: ids(plain),
        },
      ];
    },
  },
  {
    id: 'charger.capacity',
    area: 'chargers',
    run({ agvs, map }) {
      if (agvs.length === 0) return [];
      if (map.chargers.length === 0) {
        return [
          {
            risk: 'high',
            title: 'the site map has no chargers',
            impact: 'AGVs cannot be sent to charge and will run flat',
            fix: 'add charger points to the site map',
            subjects: [],
          },
        ];
      }
      const perCharger = agvs.length / map.chargers.length;
      if (perCharger <= 8) return [];
      return [
        {
          risk: perCharger > 15 ? 'high' : 'low',
          title: `${agvs.length} AGVs share ${map.chargers.length} chargers (${perCharger.toFixed(1)} per charger)`,
          impact: 'AGVs queue for charging and fleet availability drops at peak',
          fix: 'add chargers or enable opportunity charging at idle times',
          subjects: map.chargers.slice(0, MAX_SUBJECTS).map((c) => c.id),
        },
      ];
    },
  },
  {
    id: 'charger.occupied',
    area: 'chargers',
    run({ agvs, map }) {
      const chargerNodes = new Set(map.chargers.map((c) => c.node));
      const parked = agvs.filter((a) => a.nodeId !== null && chargerNodes.has(a.nodeId) && !a.charging && a.connection === 'online');
      if (parked.length === 0) return [];
      return [
        {
          risk: 'low',
          title: `${parked.length} AGVs stand on a charger without charging`,
          impact: 'chargers are blocked for AGVs that need them',
          fix: 'check the charger contacts and the charging command acks; move the AGVs to parking',
          subjects: ids(parked),
        },
      ];
    },
  },
  {
    id: 'charger.alarms',
    area: 'chargers',
    run({ openAlarms }) {
      const long = openAlarms.filter((a) => a.code === 'CHARGER_OCCUPIED_TOO_LONG');
      if (long.length === 0) return [];
      return [
        {
          risk: 'low',
          title: `${long.length} chargers occupied for too long`,
          impact: 'charging capacity is tied up',
          fix: 'check whether those AGVs finished charging and why they were not released',
          subjects: long.slice(0, MAX_SUBJECTS).map((a) => a.agvId ?? a.key),
        },
      ];
    },
  },
  {
    id: 'agv.assigned_offline',
    area: 'tasks',
    run({ agvs, tasks }) {
      const offline = new Set(agvs.filter((a) => a.connection === 'offline').map((a) => a.id));
      const stuck = tasks.filter((t) => t.agvId !== null && offline.has(t.agvId) && !TERMINAL_TASK_STATES.has(t.state));
      if (stuck.length === 0) return [];
      return [
        {
          risk: 'high',
          title: `${stuck.length} open tasks are assigned to offline AGVs`,
          impact: 'those transports will not complete until the AGVs return',
          fix: 'bring the AGVs back online or cancel and re-submit the tasks',
          subjects: ids(stuck),
        },
      ];
    },
  },
];
