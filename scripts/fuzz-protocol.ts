// npm run fuzz:protocol [-- --frames N --seed S]: at least 1,000,000 random and mutated frames through the
// decoders (bit flips, truncations, length lies, huge counts, noise, random chunking). Prints one JSON summary;
// exits non-zero if anything threw, an accepted frame failed to round-trip, or the buffer grew past its bound.
import { fuzzProtocol } from './lib/protocol-fuzzer.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const frames = arg('frames', 1_000_000);
const seed = arg('seed', Date.now() % 2 ** 31);
const maxFrameBytes = 64 * 1024;
const summary = fuzzProtocol({
  frames, seed, maxFrameBytes, progressEvery: 100_000,
  onProgress: (done) => process.stderr.write(`fuzz: ${done} frames\n`),
});
console.log(JSON.stringify(summary));
const bad = summary.uncaught > 0 || summary.invariant_failures > 0 || summary.max_buffered_bytes > maxFrameBytes;
process.exit(bad ? 1 : 0);
