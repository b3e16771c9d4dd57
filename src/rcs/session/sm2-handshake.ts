import type { Clock } from '../../core/index.ts';
import { createSecureProtector } from '../../protocol/index.ts';
import { directionalKeys, KeyExchangeResponder, samePublicKey, SecureSession, type Sm2KeyPair } from '../../protocol/secure/index.ts';
import type { FramePeer } from '../../agv/transport/frame-peer.ts';
import { terminatesSecureChannel, type HandshakeStep, type SecureHandshake } from './secure-handshake.ts';

// Platform side of the SM2 key exchange (GB/T 32918.3, platform = responder B). The AGV's static key must be the
// one enrolled for it; once its confirmation checks out, the peer switches to SM4-encrypted, SM2-signed frames.
// The AGV asks for an ack of its confirmation and waits for it, so no encrypted frame can arrive before the
// platform has its keys (the ack itself is the first protected frame).

export const PLATFORM_USER_ID = 'UniFleet-RCS';

export class Sm2Handshake implements SecureHandshake {
  private readonly responders = new WeakMap<FramePeer, KeyExchangeResponder>();

  constructor(
    private readonly platformKeys: Sm2KeyPair,
    private readonly clock: Clock,
  ) {}

  handle(peer: FramePeer, enrolledPublicKeyHex: string, message: Parameters<SecureHandshake['handle']>[2]): HandshakeStep {
    try {
      if (message.kind === 'keyExchangeInit') {
        if (!samePublicKey(message.staticPublicKey, Buffer.from(enrolledPublicKeyHex, 'hex'))) {
          return { error: 'the AGV presented a key other than the one enrolled for it' };
        }
        const responder = new KeyExchangeResponder({ id: PLATFORM_USER_ID, keyPair: this.platformKeys });
        const reply = responder.handleInit(message);
        this.responders.set(peer, responder);
        peer.send({ kind: 'keyExchangeReply', ...reply });
        return 'continue';
      }
      const responder = this.responders.get(peer);
      if (!responder) return { error: 'keyExchangeConfirm before keyExchangeInit' };
      const result = responder.handleConfirm(message);
      this.responders.delete(peer);
      if (terminatesSecureChannel(peer.channel)) {
        // A gateway process protects this connection's frames: it gets the keys, the session goes on in plain frames.
        peer.channel.installSecureSession({ ...directionalKeys(result), peerPublicKey: result.peerStaticPublicKey });
        return 'done';
      }
      const session = SecureSession.fromKeyExchange(result, { localKeyPair: this.platformKeys, clock: this.clock });
      peer.setProtector(createSecureProtector(session));
      return 'done';
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }
}
