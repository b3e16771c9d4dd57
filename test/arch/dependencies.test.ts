import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// Dependencies point one way: core (clock, tiny shared types) on nothing; protocol and planner on core only; agv on protocol; rcs on all three.
// Pure packages (protocol, planner) must not import Node I/O modules either.
const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');
const ALLOWED: Record<string, string[]> = {
  core: [],
  protocol: ['core'],
  planner: ['core'],
  agv: ['core', 'protocol'],
  rcs: ['core', 'protocol', 'planner', 'agv'],
};
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|dgram|child_process|worker_threads|tls|dns)$/;
const PURE = new Set(['core', 'protocol', 'planner']);

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

describe('one store', () => {
  it('only src/rcs/store/ imports a database driver', () => {
    const violations = walk(SRC)
      .filter((file) => !relative(SRC, file).startsWith(join('rcs', 'store') + sep))
      .flatMap((file) => importsOf(file).filter((spec) => /^(better-sqlite3|pg|pg-.*)$/.test(spec)).map((spec) => `${relative(ROOT, file)} -> ${spec}`));
    expect(violations).toEqual([]);
  });
});
