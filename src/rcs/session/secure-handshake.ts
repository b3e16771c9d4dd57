import type { Message } from '../../protocol/index.ts';
import type { FramePeer } from '../../agv/transport/frame-peer.ts';

// Platform side of the secure-mode key exchange. The session hands it the key-exchange frames; on success it has
// installed the frame protector on the peer, so every later frame is encrypted and signed.

export type HandshakeStep = 'continue' | 'done' | { error: string };

export interface SecureHandshake {
  handle(peer: FramePeer, enrolledPublicKeyHex: string, message: Extract<Message, { kind: 'keyExchangeInit' | 'keyExchangeConfirm' }>): HandshakeStep;
}
