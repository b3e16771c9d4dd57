// The messages between the coordinator and its protocol gateways (child processes, IPC with V8 serialization so
// byte arrays travel as bytes). Both directions are batched: one IPC message per event-loop turn carries every
// connection's operations, in order, so per-frame cost is a slot in an array, not a message.
import type { ChannelCloseReason } from '../../agv/transport/channel.ts';
import type { ProtocolErrorCode } from '../../protocol/index.ts';
import type { Sm2KeyPair } from '../../protocol/secure/index.ts';
import type { SecureSessionKeys } from '../session/secure-handshake.ts';

export interface GatewayInit {
  readonly t: 'init';
  /** The platform's key pair: every secure session a gateway runs signs with it. */
  readonly platformKeys: Sm2KeyPair;
  /** Outbound bytes a slow AGV may have queued in the gateway before its connection is dropped. */
  readonly maxBufferedBytes: number;
}

/** The platform's bound listening socket, sent as the IPC handle (to each gateway, replacements too): every gateway accepts from it. */
export interface GatewayListen {
  readonly t: 'listen';
}

export type GatewayOp =
  | readonly [id: number, op: 'admit']
  | readonly [id: number, op: 'send', frame: Uint8Array]
  | readonly [id: number, op: 'close']
  | readonly [id: number, op: 'pause']
  | readonly [id: number, op: 'resume']
  | readonly [id: number, op: 'secure', keys: SecureSessionKeys];

/** A connection the coordinator itself accepted from the shared socket, sent as the IPC handle, still unread. */
export interface GatewayAdopt {
  readonly t: 'adopt';
}

/** The platform stopped taking AGV connections: the gateway closes its copy of the listening socket. */
export interface GatewayUnlisten {
  readonly t: 'unlisten';
}

export type ToGateway = GatewayInit | GatewayListen | GatewayUnlisten | GatewayAdopt | { readonly t: 'ops'; readonly ops: GatewayOp[] } | { readonly t: 'usage' };

export interface RejectedFrame {
  readonly code: ProtocolErrorCode;
  readonly message: string;
  readonly msgType?: number;
  readonly seq?: number;
  readonly field?: string;
}

/** Ids are the gateway's own; the platform keys connections by gateway and id. */
export type GatewayEvent =
  | readonly [id: number, event: 'connected', peer: { readonly address: string; readonly port: number }]
  | readonly [id: number, event: 'data', bytes: Uint8Array]
  | readonly [id: number, event: 'rejected', error: RejectedFrame]
  | readonly [id: number, event: 'closed', reason: ChannelCloseReason];

export interface GatewayUsage {
  readonly t: 'usage';
  /** CPU time the gateway process used since it started (µs, user + system). */
  readonly cpuUs: number;
  readonly rss: number;
}

export type FromGateway = { readonly t: 'events'; readonly events: GatewayEvent[] } | { readonly t: 'listening' } | GatewayUsage;

/** Collects items and hands them over once per event-loop turn. */
export class TurnBatch<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(private readonly flush: (items: T[]) => void) {}

  push(item: T): void {
    this.items.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const items = this.items;
      this.items = [];
      if (items.length > 0) this.flush(items);
    });
  }
}
