/* global process, console */
// Builds native/sm2-verify (SM2 verification with per-key tables, and the SM2 key exchange's curve work, on Node's
// own OpenSSL) with the node-gyp that npm carries. Runs on `npm install` / `npm ci`, as `npm run build:native`, and
// as `node scripts/build-native.mjs`; the addon lands in native/sm2-verify/build/Release/sm2_verify.node, where
// src/protocol/secure/sm2-precomputed.ts loads it. A failed build is not fatal: the secure channel then verifies
// with node:crypto's SM2 and runs the key exchange in JavaScript instead (slower, same results), and bench lines
// say which backend ran.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addonDir = join(root, 'native', 'sm2-verify');
const npmCli = process.env.npm_execpath;
// npm sets npm_config_node_gyp to its bundled node-gyp when it runs scripts; otherwise look next to npm (also when
// this script is run directly with `node`: npm then lives beside the node binary, in lib/node_modules/npm).
const npmBesideNode = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
const candidates = [process.env.npm_config_node_gyp, ...[npmCli, npmBesideNode].map((cli) => cli && join(dirname(cli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'))];
const nodeGyp = candidates.find((path) => path && existsSync(path));
if (!nodeGyp) {
  console.warn('[build-native] node-gyp not found; SM2 will use node:crypto and JavaScript (no per-key tables, no native key exchange)');
  process.exit(0);
}
// Headers installed with this node (distribution packages put them in <prefix>/include/node) spare node-gyp a
// download; npm passes its own `nodedir` setting as npm_config_nodedir, which node-gyp reads itself.
const prefix = join(dirname(process.execPath), '..');
const localHeaders = !process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
const run = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--silent', ...localHeaders], { cwd: addonDir, stdio: 'inherit' });
if (run.status !== 0) console.warn('[build-native] native/sm2-verify did not build; SM2 will use node:crypto and JavaScript (no per-key tables, no native key exchange)');
