import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The SDK as a vendor gets it: build, pack, install the tarball into a scratch project and import it with plain
// Node (no tsx, no TypeScript loader); then type-check the docs' vendor adapter against the shipped declarations.

const repo = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'unifleet-pack-'));

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('packed SDK', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('installs from its tarball and imports in plain Node, with types a vendor adapter compiles against', () => {
    run('npm', ['run', 'build'], repo);
    const packed = JSON.parse(run('npm', ['pack', './packages/unifleet', '--pack-destination', scratch, '--json'], repo)) as { filename: string; files: { path: string }[] }[];
    const shipped = packed[0]!.files.map((f) => f.path);
    expect(shipped).toContain('dist/agv/index.js');
    expect(shipped).toContain('dist/agv/index.d.ts');
    // Doc generators and the platform stay out of the package.
    expect(shipped.filter((p) => /spec-tables|examples|benchmark|rcs\/|planner\//.test(p))).toEqual([]);

    const project = join(scratch, 'vendor');
    run('mkdir', ['-p', project], scratch);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'vendor-probe', private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', join(scratch, packed[0]!.filename)], project);

    const probe = (code: string) => run(process.execPath, ['-e', code], project).trim();
    expect(probe("import('unifleet/agv').then(m => console.log(typeof m.AgvController))")).toBe('function');
    expect(probe("import('unifleet/agv/sim').then(m => console.log(typeof m.Simulator))")).toBe('function');
    expect(probe("import('unifleet/protocol').then(m => console.log(m.decodeFrame(m.encodeFrame({ kind: 'heartbeat', role: 'ping', origin: 'agv', echoSeq: 0 }, { seq: 1, timestamp: 0 })).ok))")).toBe('true');

    copyFileSync(join(repo, 'examples/vendor-adapter.ts'), join(project, 'vendor-adapter.ts'));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, typeRoots: [join(repo, 'node_modules/@types')], types: ['node'] },
      files: ['vendor-adapter.ts'],
    }));
    run(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', project], project);
  }, 300_000);
});
