import type { Message } from '../../protocol/index.ts';
import type { FramePeer } from '../../agv/transport/frame-peer.ts';
import type { FrameChannel } from '../../agv/transport/channel.ts';

// Platform side of the secure-mode key exchange. The session hands it the key-exchange frames; on success it has
// installed the frame protector on the peer, so every later frame is encrypted and signed.

export type HandshakeStep = 'continue' | 'done' | { error: string };

export interface SecureHandshake {
  handle(peer: FramePeer, enrolledPublicKeyHex: string, message: Extract<Message, { kind: 'keyExchangeInit' | 'keyExchangeConfirm' }>): HandshakeStep;
}

/** What a secure session needs besides the platform's own key pair, which the channel's far end already holds. */
export interface SecureSessionKeys {
  readonly sendKey: Uint8Array;
  readonly receiveKey: Uint8Array;
  readonly peerPublicKey: Uint8Array;
}

/**
 * A channel whose far end (a protocol gateway) terminates the secure channel: after the key exchange it gets the
 * session keys, and from then on it verifies, decrypts, encrypts and signs; the session sees plain frames.
 */
export interface SecureTerminatingChannel extends FrameChannel {
  installSecureSession(keys: SecureSessionKeys): void;
}

export function terminatesSecureChannel(channel: FrameChannel): channel is SecureTerminatingChannel {
  return typeof (channel as Partial<SecureTerminatingChannel>).installSecureSession === 'function';
}
