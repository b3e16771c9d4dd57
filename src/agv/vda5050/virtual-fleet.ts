import { AgvController, VirtualAgvAdapter, type AgvAdapterDebugger, type AttachContext, type StopTraverseContext, type TraverseEdgeContext, type VirtualAgvAdapterOptions } from 'vda-5050-lib';

// VDA 5050 virtual AGVs for the demo, tests and benchmarks: vda-5050-lib's own AgvController (the VDA side: order
// handling, base/horizon, stitching, instant actions, state, connection with last will) over its VirtualAgvAdapter.
//
// The virtual vehicle drives only released edges, at constant speed with the edge's speed limit, which is enough for
// traffic control. Two things are too coarse for a shared site, and the thin adapter below changes only those:
// - it publishes no factsheet (an empty one), so the platform would not know its body: the adapter fills in the
//   factsheet (body, speeds, actions, navigation) the platform registers it with;
// - on cancelOrder it stops at once between two nodes, where no node is "where it stands" and a new order cannot
//   start (VDA wants the first node within the allowed deviation): it finishes the edge it is on, then stops, as
//   AGVs on fixed paths do.

export interface VdaVirtualAgvOptions extends VirtualAgvAdapterOptions {
  lengthM: number;
  widthM: number;
  seriesName: string;
}

interface TraverseInternals {
  _traverseContext: TraverseEdgeContext | undefined;
}

export class SiteVirtualAgvAdapter extends VirtualAgvAdapter {
  private readonly body: VdaVirtualAgvOptions;

  constructor(controller: AgvController, options: VdaVirtualAgvOptions, debug: AgvAdapterDebugger) {
    super(controller, options, debug);
    this.body = options;
  }

  override attach(context: AttachContext): void {
    super.attach(context);
    this.controller.updateFactsheet(factsheetFor(this.body));
  }

  override stopTraverse(context: StopTraverseContext): void {
    const self = this as unknown as TraverseInternals;
    const edge = self._traverseContext;
    if (!edge || !this.vehicleState.isDriving) {
      super.stopTraverse(context);
      return;
    }
    context.drivingToNextNode(edge.endNode);
    self._traverseContext = {
      ...edge,
      edgeTraversed: () => {
        edge.edgeTraversed();
        // The controller no longer follows the cancelled order's edges: the node reached is reported here.
        this.controller.updatePartialState({ lastNodeId: edge.endNode.nodeId, lastNodeSequenceId: edge.endNode.sequenceId }, true);
        super.stopTraverse(context);
      },
    };
  }
}

const VIRTUAL_AGV_ACTIONS = ['pick', 'drop', 'startCharging', 'stopCharging', 'startPause', 'stopPause', 'cancelOrder', 'stateRequest', 'factsheetRequest'];

function factsheetFor(o: VdaVirtualAgvOptions) {
  return vdaFactsheet({ seriesName: o.seriesName, lengthM: o.lengthM, widthM: o.widthM, speedMps: o.vehicleSpeed ?? 2, actions: VIRTUAL_AGV_ACTIONS });
}

/**
 * A headerless VDA 5050 2.0 factsheet that passes vda-5050-lib's schema and says what the platform registers: body,
 * top speed, actions (pick/drop as node actions, the rest instant), navigation.
 */
export function vdaFactsheet(o: { seriesName: string; lengthM: number; widthM: number; speedMps: number; actions: readonly string[] }) {
  return {
    typeSpecification: { seriesName: o.seriesName, agvKinematic: 'DIFF', agvClass: 'CARRIER', maxLoadMass: 500, localizationTypes: ['NATURAL'], navigationTypes: ['VIRTUAL_LINE_GUIDED'] },
    physicalParameters: { speedMin: 0.01, speedMax: o.speedMps, accelerationMax: 1, decelerationMax: 1, heightMin: 0.3, heightMax: 0.4, width: o.widthM, length: o.lengthM },
    protocolLimits: { maxStringLens: {}, maxArrayLens: {}, timing: { minOrderInterval: 0.1, minStateInterval: 0.1 } },
    protocolFeatures: {
      optionalParameters: [],
      agvActions: o.actions.map((actionType) => ({ actionType, actionScopes: actionType === 'pick' || actionType === 'drop' ? ['NODE'] : ['INSTANT'] })),
    },
    agvGeometry: {},
    loadSpecification: {},
  } as unknown as Parameters<AgvController['updateFactsheet']>[0];
}

export interface VdaVirtualFleetOptions {
  brokerUrl: string;
  interfaceName: string;
  manufacturer: string;
  /** Serial numbers are `${serialPrefix}${i}` (zero-padded, from 1). */
  serialPrefix: string;
  count: number;
  /** Where each AGV starts (one node each, in order); the map id is the site's. */
  startNodes: readonly { id: string; x: number; y: number }[];
  mapId: string;
  /** Speed-up of motion and actions (the platform's time factor). */
  timeLapse: number;
  speedMps?: number;
  lengthM?: number;
  widthM?: number;
  /** Real milliseconds between periodic state messages (besides the ones on every event). */
  stateIntervalMs?: number;
  /** Seconds a pick or drop takes (virtual time). */
  actionSeconds?: number;
}

export class VdaVirtualFleet {
  readonly controllers: AgvController[] = [];

  constructor(private readonly options: VdaVirtualFleetOptions) {
    if (options.startNodes.length < options.count) throw new Error(`${options.count} VDA AGVs need ${options.count} start nodes, got ${options.startNodes.length}`);
  }

  serial(i: number): string {
    return `${this.options.serialPrefix}${String(i + 1).padStart(3, '0')}`;
  }

  async start(): Promise<void> {
    const o = this.options;
    for (let i = 0; i < o.count; i++) {
      const start = o.startNodes[i]!;
      const adapterOptions: VdaVirtualAgvOptions = {
        initialPosition: { mapId: o.mapId, x: start.x, y: start.y, theta: 0, lastNodeId: start.id },
        vehicleSpeed: o.speedMps ?? 1,
        timeLapse: o.timeLapse,
        tickRate: 10,
        initialBatteryCharge: 90,
        lengthM: o.lengthM ?? 0.9,
        widthM: o.widthM ?? 0.65,
        seriesName: 'VirtualAgv',
      };
      const controller = new AgvController(
        { manufacturer: o.manufacturer, serialNumber: this.serial(i) },
        { interfaceName: o.interfaceName, transport: { brokerUrl: o.brokerUrl }, vdaVersion: '2.0.0' },
        { agvAdapterType: SiteVirtualAgvAdapter as never, publishStateInterval: o.stateIntervalMs ?? 1_000, publishVisualizationInterval: 0 },
        adapterOptions,
      );
      this.controllers.push(controller);
    }
    await Promise.all(this.controllers.map((c) => c.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.controllers.map((c) => c.stop().catch(() => undefined)));
  }
}
