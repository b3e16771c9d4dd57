import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// Dependencies point one way: core (clock, tiny shared types) on nothing; protocol and planner on core only; agv on protocol; rcs on all three;
// the conformance kit on core, protocol and agv.
// Pure packages (core, protocol, planner) must not import Node I/O modules nor read process.env: their callers pass
// configuration in. The planner's research code (src/planner/research/: LaCAM, LNS, the lifelong engine, the LoRR
// harness) runs from bench/ and test/ only: nothing else under src/ may import it.
const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');
const ALLOWED: Record<string, string[]> = {
  core: [],
  protocol: ['core'],
  planner: ['core'],
  agv: ['core', 'protocol'],
  rcs: ['core', 'protocol', 'planner', 'agv'],
  // The conformance kit plays either side with the protocol and the SDK's transport, never with the platform itself.
  conformance: ['core', 'protocol', 'agv'],
};
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|dgram|child_process|worker_threads|tls|dns)$/;
const PURE = new Set(['core', 'protocol', 'planner']);

// Inside rcs: the composition root (platform.ts, index.ts) sits on top and no part imports it; the site model and
// traffic control are domain logic that knows nothing of HTTP, sessions or storage (traffic builds on site only); the
// store knows none of the services that use it.
const RCS_ROOT = ['platform.ts', 'index.ts'];
const RCS_FORBIDDEN: Record<string, string[]> = {
  site: ['api', 'auth', 'dispatch', 'fleet', 'ops', 'session', 'store', 'tasks', 'traffic', 'webhooks'],
  traffic: ['api', 'auth', 'dispatch', 'fleet', 'ops', 'session', 'store', 'tasks', 'webhooks'],
  store: ['api', 'dispatch', 'fleet', 'ops', 'session', 'traffic'],
};
const RESEARCH = join(SRC, 'planner', 'research');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push(m[1] ?? m[2]!);
  }
  return found;
}

describe('package dependency direction', () => {
  for (const pkg of Object.keys(ALLOWED)) {
    it(`${pkg} imports only what it may`, () => {
      const violations: string[] = [];
      for (const file of walk(join(SRC, pkg))) {
        for (const spec of importsOf(file)) {
          if (spec.startsWith('.')) {
            const target = relative(SRC, resolve(dirname(file), spec)).split(sep)[0]!;
            if (target !== pkg && !ALLOWED[pkg]!.includes(target)) violations.push(`${relative(ROOT, file)} -> ${spec}`);
          } else if (PURE.has(pkg) && IO_MODULES.test(spec)) {
            violations.push(`${relative(ROOT, file)} -> ${spec} (I/O in a pure package)`);
          }
        }
      }
      expect(violations).toEqual([]);
    });
  }
});

describe('rcs parts', () => {
  const RCS = join(SRC, 'rcs');
  /** For every import inside rcs: the importing part and the imported part (first path segment under src/rcs). */
  function rcsImports(): { file: string; spec: string; from: string; to: string }[] {
    const found: { file: string; spec: string; from: string; to: string }[] = [];
    for (const file of walk(RCS)) {
      const from = relative(RCS, file).split(sep)[0]!;
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(RCS, resolve(dirname(file), spec));
        if (target.startsWith('..')) continue;
        found.push({ file: relative(ROOT, file), spec, from, to: target.split(sep)[0]! });
      }
    }
    return found;
  }

  it('no part imports the composition root', () => {
    const violations = rcsImports().filter((i) => i.from !== i.to && !RCS_ROOT.includes(i.from) && RCS_ROOT.includes(i.to));
    expect(violations.map((i) => `${i.file} -> ${i.spec}`)).toEqual([]);
  });

  for (const [part, forbidden] of Object.entries(RCS_FORBIDDEN)) {
    it(`${part} imports none of ${forbidden.join(', ')}`, () => {
      const violations = rcsImports().filter((i) => i.from === part && forbidden.includes(i.to));
      expect(violations.map((i) => `${i.file} -> ${i.spec}`)).toEqual([]);
    });
  }
});

describe('planner research code', () => {
  it('is imported by nothing under src/ outside src/planner/research', () => {
    const violations: string[] = [];
    for (const file of walk(SRC)) {
      if (file.startsWith(RESEARCH + sep)) continue;
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.') && `${resolve(dirname(file), spec)}${sep}`.startsWith(RESEARCH + sep)) violations.push(`${relative(ROOT, file)} -> ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });
});

describe('pure packages', () => {
  for (const pkg of PURE) {
    it(`${pkg} never reads process.env`, () => {
      const readers = walk(join(SRC, pkg)).filter((file) => /\bprocess\.env\b/.test(readFileSync(file, 'utf8')));
      expect(readers.map((file) => relative(ROOT, file))).toEqual([]);
    });
  }
});
describe('one store', () => {
  it('only src/rcs/store/ imports a database driver', () => {
    const violations = walk(SRC)
      .filter((file) => !relative(SRC, file).startsWith(join('rcs', 'store') + sep))
      .flatMap((file) => importsOf(file).filter((spec) => /^(better-sqlite3|pg|pg-.*)$/.test(spec)).map((spec) => `${relative(ROOT, file)} -> ${spec}`));
    expect(violations).toEqual([]);
  });
});
