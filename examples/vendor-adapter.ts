// A complete vendor adapter: puts a vehicle with its own native API under UniFleet's AgvController. The controller
// does the protocol (order stitching, released nodes only, action states, status reports); the adapter only
// translates. Run by test/agv/vendor-adapter.test.ts against a real platform.
import type { Clock } from 'unifleet/core';
import { AgvController, type Action, type BatteryReading, type LoadState, type OrderEdge, type OrderNode, type Pose, type VendorAdapter } from 'unifleet/agv';

/** The vehicle's own API, as its firmware offers it (mm, mm/s, mrad, 0.1 %). */
export interface RobotApi {
  /** Drives straight to (x, y); resolves on arrival. */
  moveTo(x: number, y: number, maxSpeed: number): Promise<void>;
  /** Raises (true) or lowers (false) the lift; resolves when it is there. */
  lift(up: boolean): Promise<void>;
  readonly x: number;
  readonly y: number;
  readonly heading: number;
  readonly speed: number;
  readonly batteryPermille: number;
  readonly carrying: boolean;
}

export class LiftRobotAdapter implements VendorAdapter {
  /** Legs run one after another; the controller hands them over early so the robot knows what comes next. */
  private legs: Promise<void> = Promise.resolve();
  /** Bumped by stop(): legs queued under an older generation are dropped. */
  private generation = 0;

  constructor(private readonly robot: RobotApi) {}

  driveToNode(node: OrderNode, edge: OrderEdge | undefined): Promise<void> {
    const generation = this.generation;
    const leg = this.legs.then(() => {
      if (generation !== this.generation) throw new Error('dropped by stop');
      return this.robot.moveTo(node.pose.x, node.pose.y, edge?.maxSpeed || 1500);
    });
    this.legs = leg.catch(() => {});
    return leg;
  }

  stop(): void {
    // The leg under way ends at its node (nodes are where a vehicle may stand); the ones queued after it are dropped.
    this.generation++;
  }

  runAction(action: Action): Promise<void> {
    if (action.actuator !== 'lift' || (action.liftAdjust !== 'toTop' && action.liftAdjust !== 'toBottom')) {
      return Promise.reject(new Error(`unsupported action on ${action.actuator}`));
    }
    return this.robot.lift(action.liftAdjust === 'toTop');
  }

  pose(): Pose {
    return { x: Math.round(this.robot.x), y: Math.round(this.robot.y), theta: Math.round(this.robot.heading) };
  }

  speed(): number {
    return Math.round(this.robot.speed);
  }

  battery(): BatteryReading {
    return { level: this.robot.batteryPermille, charging: false };
  }

  load(): LoadState {
    return this.robot.carrying ? 'loaded' : 'empty';
  }
}

/** Joins the robot to a UniFleet site; `startNode` is the wire number of the node it stands on. */
export function joinSite(robot: RobotApi, site: { host: string; port: number; agvId: string; startNode: number; clock?: Clock }): AgvController {
  const controller = new AgvController(
    {
      agvId: site.agvId,
      host: site.host,
      port: site.port,
      registration: {
        vendor: 'Hexa Robotics', model: 'HX-600', serial: site.agvId, agvType: 'latentLifting', softwareVersion: '3.2.1',
        capabilities: {
          kinematics: 'differential', length: 900, width: 650, height: 400,
          maxSpeed: 1500, maxAcceleration: 800, maxDeceleration: 800, maxAngularSpeed: 1000, maxPayload: 600,
          actuators: [{ type: 'lift', index: 0, min: 0, max: 60 }],
          navigationTypes: ['qrCode'],
          maps: [{ mapId: 1, mapVersion: 1 }],
        },
      },
      adapter: new LiftRobotAdapter(robot),
      mapId: 1,
      navMode: 'qrCode',
      startNodeId: site.startNode,
    },
    site.clock,
  );
  controller.start();
  return controller;
}
