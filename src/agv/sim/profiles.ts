// Vendor profiles for simulated AGVs: three makers with different bodies, speeds, navigation and actuators, so the
// platform is exercised as a mixed fleet.

export type NavigationType = 'slam' | 'qr';
export type ActuatorType = 'lift' | 'fork' | 'roller';

export interface VendorProfile {
  vendor: string;
  model: string;
  /** AGV type reported at registration. */
  agvType: 'latent-lifting' | 'forklift' | 'roller';
  lengthM: number;
  widthM: number;
  maxSpeedMps: number;
  accelMps2: number;
  /** The navigation the vehicle starts in. */
  navigation: NavigationType;
  /** Further navigation it can switch to at a switch point (navModeSwitch); registered with `navigation`. */
  alsoNavigates?: readonly NavigationType[];
  actuator: ActuatorType;
  maxLoadKg: number;
  /** Battery % drained per metre driven and per second powered on. */
  drainPerMetrePct: number;
  drainPerSecondPct: number;
  /** Battery % gained per second on a charger. */
  chargePerSecondPct: number;
  /** Time the actuator needs to pick or drop a load. */
  actionMs: number;
  softwareVersion: string;
}

export const VENDOR_PROFILES: readonly VendorProfile[] = [
  {
    vendor: 'Hexa Robotics',
    model: 'HX-600 latent lifter',
    agvType: 'latent-lifting',
    lengthM: 0.9,
    widthM: 0.65,
    maxSpeedMps: 1.5,
    accelMps2: 0.8,
    navigation: 'qr',
    actuator: 'lift',
    maxLoadKg: 600,
    drainPerMetrePct: 0.02,
    drainPerSecondPct: 0.002,
    chargePerSecondPct: 0.5,
    actionMs: 3_000,
    softwareVersion: '3.2.1',
  },
  {
    vendor: 'Nordlift',
    model: 'NL-F14 counterbalance fork',
    agvType: 'forklift',
    lengthM: 1.8,
    widthM: 0.95,
    maxSpeedMps: 1.0,
    accelMps2: 0.4,
    navigation: 'slam',
    actuator: 'fork',
    maxLoadKg: 1400,
    drainPerMetrePct: 0.04,
    drainPerSecondPct: 0.003,
    chargePerSecondPct: 0.3,
    actionMs: 6_000,
    softwareVersion: '1.9.0',
  },
  {
    vendor: 'Rollway',
    model: 'RW-300 roller top',
    agvType: 'roller',
    lengthM: 1.1,
    widthM: 0.8,
    maxSpeedMps: 1.2,
    accelMps2: 0.6,
    navigation: 'slam',
    actuator: 'roller',
    maxLoadKg: 300,
    drainPerMetrePct: 0.03,
    drainPerSecondPct: 0.002,
    chargePerSecondPct: 0.4,
    actionMs: 4_000,
    softwareVersion: '2.0.4',
  },
];

/**
 * The fleet for the small demo warehouse (maps/demo-warehouse.json): its 1 m lattice is laid out for compact AGVs,
 * so fleets on it run the 0.9 m vendor only (every AGV is planned with the body it registered; a 1.8 m forklift
 * would not fit its spurs, and mixed bodies there jam). The e2e tests and `bench:failover` use it.
 */
export const COMPACT_PROFILES: readonly VendorProfile[] = [VENDOR_PROFILES[0]!];
