// Child process of bench/abuse.ts: one hostile source against the platform's AGV port, in its own process so its
// CPU does not count as the platform's. Runs one attack for the given seconds, reconnecting whenever the platform
// closes a connection, and reports the frames it managed to send.
//   argv: attack port seconds clients [targetId publicKeyHex]
import { connect, type Socket } from 'node:net';
import { encodeFrame, type Message } from '../src/protocol/index.ts';
import { generateSm2KeyPair } from '../src/protocol/secure/index.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const [attack, portArg, secondsArg, clientsArg, targetId = '', publicKeyHex = ''] = process.argv.slice(2);
const port = Number(portArg);
const until = Date.now() + Number(secondsArg) * 1000;
const clients = Number(clientsArg);
let frames = 0;
let seq = 1;

const frame = (message: Message) => encodeFrame(message, { seq: seq++ >>> 0, timestamp: Date.now() });
const heartbeat = frame({ kind: 'heartbeat', role: 'ping', origin: 'agv', echoSeq: 0 });

/** Opens a connection; resolves when it closes (refused, cut off or ended by us). */
function session(onOpen: (socket: Socket) => void): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    socket.on('connect', () => onOpen(socket));
    socket.on('data', () => {});
  });
}

/** Writes `next()` frames as fast as the socket takes them (waiting for drain), until closed or time is up. */
function pump(socket: Socket, next: () => Uint8Array): void {
  const go = () => {
    while (!socket.destroyed && Date.now() < until) {
      frames++;
      if (!socket.write(next())) return void socket.once('drain', go);
    }
    socket.destroy();
  };
  go();
}

async function loop(run: () => Promise<void>): Promise<void> {
  while (Date.now() < until) {
    await run();
    // A refused connection is retried at once: the attacker does not back off.
    await sleep(1);
  }
}

function garbage(): Uint8Array {
  // Half random bytes, half frames with a broken CRC: both paths of the decoder.
  if (Math.random() < 0.5) return Uint8Array.from({ length: 64 }, () => Math.floor(Math.random() * 256));
  const bytes = Uint8Array.from(heartbeat);
  bytes[bytes.length - 1]! ^= 0xff;
  return bytes;
}

const ephemeral = generateSm2KeyPair().publicKey;
const staticKey = Buffer.from(publicKeyHex, 'hex');

const attacks: Record<string, () => Promise<void>> = {
  'heartbeat-flood': () => session((s) => pump(s, () => heartbeat)),
  'malformed-flood': () => session((s) => pump(s, garbage)),
  'key-exchange-flood': () =>
    session((s) => {
      // Secure access for an enrolled AGV, then a key-exchange start that makes the platform do SM2 work.
      s.write(frame({ kind: 'accessRequest', agvId: targetId, mode: 'secure', versionMin: 0x10, versionMax: 0x10, vendor: 'x' }));
      frames++;
      s.once('data', () => {
        s.write(frame({ kind: 'keyExchangeInit', ephemeralPublicKey: ephemeral, staticPublicKey: staticKey, userId: Buffer.from('1234567812345678') }));
        frames++;
        s.once('data', () => s.destroy());
      });
      setTimeout(() => s.destroy(), 2_000);
    }),
  'idle-connections': () =>
    session((s) => {
      // Never accesses; a heartbeat every 4 s to look alive.
      const beat = setInterval(() => {
        if (Date.now() >= until) return void s.destroy();
        frames++;
        s.write(heartbeat);
      }, 4_000);
      s.on('close', () => clearInterval(beat));
    }),
};

const run = attacks[attack!];
if (!run) throw new Error(`unknown attack ${attack}`);
await Promise.all(Array.from({ length: clients }, async (_, i) => {
  // Spread the opening of many idle connections a little, as a script opening them in a loop would.
  if (attack === 'idle-connections') await sleep(i);
  await loop(run);
}));
process.send?.({ frames });
process.disconnect?.();
