// Compiles a schema declaration into straight-line JavaScript encode/decode functions (like protobuf.js or avsc
// do): no per-field dispatch or closures at run time, one bounds check per run of fixed-size fields, and
// monomorphic object literals, which is what makes the decoder fast enough for 1M frames/s.
import { fail, readString, writeString, type Writer } from './runtime.ts';
import { fixedSize, minSize, type FieldType, type IntType, type StructType } from './types.ts';

/** Decodes u8[p, end). */
export type DecodeFn<V> = (u8: Uint8Array, p: number, end: number) => V;
export type EncodeFn<V> = (w: Writer, value: V) => void;

class Source {
  readonly lines: string[] = [];
  readonly consts: unknown[] = [];
  private counter = 0;

  tmp(prefix = 'v'): string {
    return `${prefix}${this.counter++}`;
  }
  constant(value: unknown): string {
    this.consts.push(value);
    return `K${this.consts.length - 1}`;
  }
  emit(line: string): void {
    this.lines.push(line);
  }
  build<F>(params: string): F {
    const names = this.consts.map((_, i) => `K${i}`);
    const body = `"use strict";\nreturn function (${params}) {\n${this.lines.join('\n')}\n};`;
    const factory = new Function('R', 'readString', 'writeString', ...names, body) as (...args: unknown[]) => F;
    return factory(fail, readString, writeString, ...this.consts);
  }
}

const q = (s: string): string => JSON.stringify(s);
const prefixSize = (wire: 'u8' | 'u16'): number => (wire === 'u8' ? 1 : 2);

function intRangeCheck(type: IntType, v: string, path: string): string | undefined {
  const [wireMin, wireMax] = wireLimits(type);
  if (type.min === wireMin && type.max === wireMax) return undefined;
  const specials = Object.values(type.specials ?? {}).map((s) => ` && ${v} !== ${s}`).join('');
  return `if ((${v} < ${type.min} || ${v} > ${type.max})${specials}) R.range(${q(path)}, ${v});`;
}

function wireLimits(type: IntType): [number, number] {
  switch (type.wire) {
    case 'u8': return [0, 0xff];
    case 'u16': return [0, 0xffff];
    case 'u32': return [0, 0xffffffff];
    case 'u48': return [0, 2 ** 48 - 1];
    case 'i8': return [-0x80, 0x7f];
    case 'i16': return [-0x8000, 0x7fff];
    case 'i32': return [-0x80000000, 0x7fffffff];
  }
}

// ---------------------------------------------------------------- decoding

// Reads assemble integers from bytes rather than through a DataView: as fast once compiled, and callers then
// need no DataView per frame (creating one costs about as much as decoding a status report).
function readIntExpr(type: IntType, at: string): string {
  const b = (k: number): string => (k === 0 ? `u8[${at}]` : `u8[${at} + ${k}]`);
  switch (type.wire) {
    case 'u8': return b(0);
    case 'i8': return `(${b(0)} << 24 >> 24)`;
    case 'u16': return `(${b(0)} << 8 | ${b(1)})`;
    case 'i16': return `((${b(0)} << 24 >> 16) | ${b(1)})`;
    case 'u32': return `(${b(0)} * 16777216 + (${b(1)} << 16 | ${b(2)} << 8 | ${b(3)}))`;
    case 'i32': return `(${b(0)} << 24 | ${b(1)} << 16 | ${b(2)} << 8 | ${b(3)})`;
    case 'u48': return `((${b(0)} << 8 | ${b(1)}) * 4294967296 + ${b(2)} * 16777216 + (${b(3)} << 16 | ${b(4)} << 8 | ${b(5)}))`;
  }
}

/** Emits a read of a fixed-size value at p + offset (bounds already checked); returns the variable name. */
function decodeFixedAt(src: Source, type: FieldType, offset: number, path: string): string {
  const at = offset === 0 ? 'p' : `p + ${offset}`;
  const v = src.tmp();
  switch (type.t) {
    case 'int': {
      src.emit(`const ${v} = ${readIntExpr(type, at)};`);
      const check = intRangeCheck(type, v, path);
      if (check) src.emit(check);
      return v;
    }
    case 'f32':
      src.emit(`const ${v} = R.readF32(u8, ${at});`);
      return v;
    case 'bool': {
      const raw = src.tmp('r');
      src.emit(`const ${raw} = u8[${at}];`);
      src.emit(`if (${raw} > 1) R.range(${q(path)}, ${raw});`);
      src.emit(`const ${v} = ${raw} === 1;`);
      return v;
    }
    case 'enum': {
      const raw = src.tmp('r');
      src.emit(`const ${raw} = ${type.wire === 'u8' ? `u8[${at}]` : `(u8[${at}] << 8 | u8[${at} + 1])`};`);
      if (type.wire === 'u8') {
        const table: (string | undefined)[] = new Array(256).fill(undefined);
        for (const [num, name] of type.def.byNumber) table[num] = name;
        src.emit(`const ${v} = ${src.constant(table)}[${raw}];`);
      } else {
        src.emit(`const ${v} = ${src.constant(type.def.byNumber)}.get(${raw});`);
      }
      src.emit(`if (${v} === undefined) R.badEnum(${q(path)}, ${raw});`);
      return v;
    }
    case 'bytes':
      src.emit(`const ${v} = new Uint8Array(u8.subarray(${at}, ${at} + ${type.fixed}));`);
      return v;
    case 'struct': {
      const parts: string[] = [];
      let o = offset;
      for (const [name, field] of Object.entries(type.fields)) {
        parts.push(`${q(name)}: ${decodeFixedAt(src, field, o, fieldPath(path, name))}`);
        o += fixedSize(field)!;
      }
      src.emit(`const ${v} = {${parts.join(', ')}};`);
      return v;
    }
    default:
      throw new Error(`not a fixed-size type: ${type.t}`);
  }
}

function decodePrefix(src: Source, wire: 'u8' | 'u16', path: string): string {
  const n = src.tmp('n');
  src.emit(`if (p + ${prefixSize(wire)} > end) R.truncated(${q(path)});`);
  src.emit(`const ${n} = ${wire === 'u8' ? 'u8[p]' : '(u8[p] << 8 | u8[p + 1])'}; p += ${prefixSize(wire)};`);
  return n;
}

function decodeAny(src: Source, type: FieldType, path: string): string {
  const size = fixedSize(type);
  if (size !== undefined) {
    src.emit(`if (p + ${size} > end) R.truncated(${q(path)});`);
    const v = decodeFixedAt(src, type, 0, path);
    src.emit(`p += ${size};`);
    return v;
  }
  const v = src.tmp();
  switch (type.t) {
    case 'string': {
      const n = decodePrefix(src, type.prefix, path);
      src.emit(`if (${n} > ${type.maxBytes}) R.range(${q(path)}, ${n});`);
      src.emit(`if (p + ${n} > end) R.truncated(${q(path)});`);
      src.emit(`const ${v} = readString(u8, p, ${n}, ${q(path)}); p += ${n};`);
      return v;
    }
    case 'bytes': {
      const n = decodePrefix(src, type.prefix, path);
      src.emit(`if (${n} > ${type.maxBytes}) R.range(${q(path)}, ${n});`);
      src.emit(`if (p + ${n} > end) R.truncated(${q(path)});`);
      src.emit(`const ${v} = new Uint8Array(u8.subarray(p, p + ${n})); p += ${n};`);
      return v;
    }
    case 'array': {
      const n = decodePrefix(src, type.prefix, path);
      const i = src.tmp('i');
      src.emit(`if (${n} > ${type.maxCount}) R.range(${q(path)}, ${n});`);
      // Reject counts the remaining bytes cannot possibly hold before allocating anything.
      src.emit(`if (${n} * ${minSize(type.item)} > end - p) R.truncated(${q(path)});`);
      src.emit(`const ${v} = [];`);
      src.emit(`for (let ${i} = 0; ${i} < ${n}; ${i}++) {`);
      const item = decodeAny(src, type.item, `${path}[]`);
      src.emit(`${v}.push(${item});`);
      src.emit('}');
      return v;
    }
    case 'optional': {
      const flag = src.tmp('f');
      src.emit(`if (p + 1 > end) R.truncated(${q(path)});`);
      src.emit(`const ${flag} = u8[p++];`);
      src.emit(`let ${v};`);
      src.emit(`if (${flag} === 1) {`);
      const inner = decodeAny(src, type.inner, path);
      src.emit(`${v} = ${inner};`);
      src.emit(`} else if (${flag} !== 0) R.range(${q(path)}, ${flag});`);
      return v;
    }
    case 'appended': {
      // Absent when the sender's (older) version ends the payload before this field.
      src.emit(`let ${v};`);
      src.emit('if (p < end) {');
      const inner = decodeAny(src, type.inner, path);
      src.emit(`${v} = ${inner};`);
      src.emit('}');
      return v;
    }
    case 'struct':
      return decodeStruct(src, type, path);
    default:
      throw new Error(`unhandled type ${type.t}`);
  }
}

/** Decodes a struct, grouping consecutive fixed-size fields under one bounds check. */
function decodeStruct(src: Source, type: StructType, path: string, leading = ''): string {
  const entries = Object.entries(type.fields);
  const values = new Map<string, string>();
  let i = 0;
  while (i < entries.length) {
    let runEnd = i;
    let runSize = 0;
    while (runEnd < entries.length) {
      const size = fixedSize(entries[runEnd]![1]);
      if (size === undefined) break;
      runSize += size;
      runEnd++;
    }
    if (runEnd > i) {
      // One check for the run; only on failure work out which field the payload ended in.
      const ends: [number, string][] = [];
      let at = 0;
      for (let k = i; k < runEnd; k++) {
        at += fixedSize(entries[k]![1])!;
        ends.push([at, fieldPath(path, entries[k]![0])]);
      }
      src.emit(`if (p + ${runSize} > end) R.truncatedRun(${src.constant(ends)}, end - p);`);
      let offset = 0;
      for (let k = i; k < runEnd; k++) {
        const [name, field] = entries[k]!;
        values.set(name, decodeFixedAt(src, field, offset, fieldPath(path, name)));
        offset += fixedSize(field)!;
      }
      src.emit(`p += ${runSize};`);
      i = runEnd;
    } else {
      const [name, field] = entries[i]!;
      values.set(name, decodeAny(src, field, fieldPath(path, name)));
      i++;
    }
  }
  const v = src.tmp('s');
  src.emit(`const ${v} = {${leading}${entries.map(([name]) => `${q(name)}: ${values.get(name)}`).join(', ')}};`);
  return v;
}

const fieldPath = (path: string, name: string): string => (path ? `${path}.${name}` : name);

/**
 * Decoder for a payload struct. Reads from p up to end; bytes after the last declared field are ignored
 * (forward compatibility: a newer minor version may append fields). Throws ProtocolError on bad input.
 */
export function compileDecoder<V>(type: StructType, leading: Record<string, unknown> = {}): DecodeFn<V> {
  const src = new Source();
  // Leading constants (the message kind) go first in the same object literal: one hidden class per message.
  const lead = Object.entries(leading).map(([k, val]) => `${q(k)}: ${src.constant(val)}, `).join('');
  const result = decodeStruct(src, type, '', lead);
  src.emit(`return ${result};`);
  return src.build<DecodeFn<V>>('u8, p, end');
}

// ---------------------------------------------------------------- encoding

const ENSURE = (n: string | number): string => `if (p + ${n} > u8.length) { w.grow(p, ${n}); u8 = w.u8; dv = w.dv; }`;

function writeIntStmt(type: IntType, at: string, v: string): string {
  switch (type.wire) {
    case 'u8': return `u8[${at}] = ${v};`;
    case 'i8': return `dv.setInt8(${at}, ${v});`;
    case 'u16': return `dv.setUint16(${at}, ${v});`;
    case 'i16': return `dv.setInt16(${at}, ${v});`;
    case 'u32': return `dv.setUint32(${at}, ${v});`;
    case 'i32': return `dv.setInt32(${at}, ${v});`;
    case 'u48': return `dv.setUint16(${at}, Math.floor(${v} / 4294967296)); dv.setUint32(${at} + 2, ${v} >>> 0);`;
  }
}

/** Emits validation + write of a fixed-size value at p + offset (room already ensured). */
function encodeFixedAt(src: Source, type: FieldType, v: string, offset: number, path: string): void {
  const at = offset === 0 ? 'p' : `p + ${offset}`;
  switch (type.t) {
    case 'int': {
      const specials = Object.values(type.specials ?? {}).map((s) => ` && ${v} !== ${s}`).join('');
      src.emit(`if (!(${v} >= ${type.min} && ${v} <= ${type.max} && Math.floor(${v}) === ${v})${specials}) R.range(${q(path)}, ${v});`);
      src.emit(writeIntStmt(type, at, v));
      return;
    }
    case 'f32':
      src.emit(`if (typeof ${v} !== 'number') R.invalid(${q(path)}, 'a number');`);
      src.emit(`dv.setFloat32(${at}, ${v});`);
      return;
    case 'bool':
      src.emit(`if (${v} === true) u8[${at}] = 1; else if (${v} === false) u8[${at}] = 0; else R.invalid(${q(path)}, 'a boolean');`);
      return;
    case 'enum': {
      const num = src.tmp('e');
      const lookup = new Map<string, number>(Object.entries(type.def.values));
      src.emit(`const ${num} = ${src.constant(lookup)}.get(${v});`);
      src.emit(`if (${num} === undefined) R.badEnum(${q(path)}, ${v});`);
      src.emit(type.wire === 'u8' ? `u8[${at}] = ${num};` : `dv.setUint16(${at}, ${num});`);
      return;
    }
    case 'bytes':
      src.emit(`if (!(${v} instanceof Uint8Array) || ${v}.length !== ${type.fixed}) R.invalid(${q(path)}, '${type.fixed} bytes');`);
      src.emit(`u8.set(${v}, ${at});`);
      return;
    case 'struct': {
      src.emit(`if (typeof ${v} !== 'object' || ${v} === null) R.invalid(${q(path)}, 'an object');`);
      let o = offset;
      for (const [name, field] of Object.entries(type.fields)) {
        const fv = src.tmp();
        src.emit(`const ${fv} = ${v}[${q(name)}];`);
        encodeFixedAt(src, field, fv, o, fieldPath(path, name));
        o += fixedSize(field)!;
      }
      return;
    }
    default:
      throw new Error(`not a fixed-size type: ${type.t}`);
  }
}

function encodePrefix(src: Source, wire: 'u8' | 'u16', n: string, at = 'p'): void {
  src.emit(wire === 'u8' ? `u8[${at}] = ${n};` : `dv.setUint16(${at}, ${n});`);
}

function encodeAny(src: Source, type: FieldType, v: string, path: string): void {
  const size = fixedSize(type);
  if (size !== undefined) {
    src.emit(ENSURE(size));
    encodeFixedAt(src, type, v, 0, path);
    src.emit(`p += ${size};`);
    return;
  }
  switch (type.t) {
    case 'string': {
      const n = src.tmp('n');
      const ps = prefixSize(type.prefix);
      src.emit(`if (typeof ${v} !== 'string') R.invalid(${q(path)}, 'a string');`);
      // UTF-8 never takes fewer bytes than UTF-16 units, so a too-long string is rejected before sizing room.
      src.emit(`if (${v}.length > ${type.maxBytes}) R.range(${q(path)}, ${v}.length + ' characters');`);
      src.emit(ENSURE(`${ps} + ${v}.length * 3`));
      src.emit(`const ${n} = writeString(u8, p + ${ps}, ${v});`);
      src.emit(`if (${n} > ${type.maxBytes}) R.range(${q(path)}, ${n} + ' bytes');`);
      encodePrefix(src, type.prefix, n);
      src.emit(`p += ${ps} + ${n};`);
      return;
    }
    case 'bytes': {
      const ps = prefixSize(type.prefix);
      src.emit(`if (!(${v} instanceof Uint8Array)) R.invalid(${q(path)}, 'a Uint8Array');`);
      src.emit(`if (${v}.length > ${type.maxBytes}) R.range(${q(path)}, ${v}.length + ' bytes');`);
      src.emit(ENSURE(`${ps} + ${v}.length`));
      encodePrefix(src, type.prefix, `${v}.length`);
      src.emit(`u8.set(${v}, p + ${ps}); p += ${ps} + ${v}.length;`);
      return;
    }
    case 'array': {
      const ps = prefixSize(type.prefix);
      const i = src.tmp('i');
      src.emit(`if (!Array.isArray(${v})) R.invalid(${q(path)}, 'an array');`);
      src.emit(`if (${v}.length > ${type.maxCount}) R.range(${q(path)}, ${v}.length + ' items');`);
      src.emit(ENSURE(ps));
      encodePrefix(src, type.prefix, `${v}.length`);
      src.emit(`p += ${ps};`);
      src.emit(`for (let ${i} = 0; ${i} < ${v}.length; ${i}++) {`);
      const item = src.tmp();
      src.emit(`const ${item} = ${v}[${i}];`);
      encodeAny(src, type.item, item, `${path}[]`);
      src.emit('}');
      return;
    }
    case 'optional':
      src.emit(ENSURE(1));
      src.emit(`if (${v} === undefined || ${v} === null) { u8[p++] = 0; } else {`);
      src.emit('u8[p++] = 1;');
      encodeAny(src, type.inner, v, path);
      src.emit('}');
      return;
    case 'struct': {
      src.emit(`if (typeof ${v} !== 'object' || ${v} === null) R.invalid(${q(path || 'message')}, 'an object');`);
      // Appended fields are written up to the first absent one; a later one present could not be decoded.
      let absentFlag: string | undefined;
      for (const [name, field] of Object.entries(type.fields)) {
        const fv = src.tmp();
        src.emit(`const ${fv} = ${v}[${q(name)}];`);
        if (field.t === 'appended') {
          if (!absentFlag) {
            absentFlag = src.tmp('absent');
            src.emit(`let ${absentFlag} = false;`);
          }
          const fieldName = fieldPath(path, name);
          src.emit(`if (${fv} === undefined || ${fv} === null) ${absentFlag} = true;`);
          src.emit(`else if (${absentFlag}) R.invalid(${q(fieldName)}, 'absent, since an earlier appended field is absent');`);
          src.emit('else {');
          encodeAny(src, field.inner, fv, fieldName);
          src.emit('}');
        } else {
          encodeAny(src, field, fv, fieldPath(path, name));
        }
      }
      return;
    }
    default:
      throw new Error(`unhandled type ${type.t}`);
  }
}

/** Encoder for a payload struct: validates every field (throws ProtocolError) and appends it at w.p. */
export function compileEncoder<V>(type: StructType): EncodeFn<V> {
  const src = new Source();
  src.emit('let p = w.p, u8 = w.u8, dv = w.dv;');
  encodeAny(src, type, 'm', '');
  src.emit('w.p = p;');
  return src.build<EncodeFn<V>>('w, m');
}

