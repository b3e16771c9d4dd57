// Renders the spec's layout tables (messages, structures, enumerations, error codes) from the declarations,
// so docs/protocol.md cannot drift from the codec: scripts/gen-protocol-spec.ts writes them in, and a test
// fails when the file is out of date.
import { MESSAGE_DEFS } from './catalogue.ts';
import { ALL_ENUMS } from './enums.ts';
import { ERROR_CODES, ERROR_DESCRIPTIONS, type ProtocolErrorCode } from './errors.ts';
import { ErrorCode } from './error-enum.ts';
import type { MessageDef } from './messages/define.ts';
import { fixedSize, type EnumDef, type FieldType, type IntType, type StructType } from './schema/types.ts';

const hex = (n: number, digits = 4): string => `0x${n.toString(16).padStart(digits, '0').toUpperCase()}`;
const anchor = (prefix: string, name: string): string => `#${prefix}-${name.toLowerCase()}`;
const cell = (s: string): string => s.replace(/\|/g, '\\|');

function enumLink(def: EnumDef): string {
  return def === ErrorCode ? '[ErrorCode](#error-codes)' : `[${def.name}](${anchor('enum', def.name)})`;
}

function typeName(type: FieldType): string {
  switch (type.t) {
    case 'int': return type.wire;
    case 'f32': return 'f32';
    case 'bool': return 'bool (u8)';
    case 'enum': return `${type.wire} ${enumLink(type.def)}`;
    case 'string': return `string (${type.prefix} len, ≤ ${type.maxBytes} B)`;
    case 'bytes': return type.fixed !== undefined ? `bytes[${type.fixed}]` : `bytes (${type.prefix} len, ≤ ${type.maxBytes})`;
    case 'array': return `${type.prefix} count, ${typeName(type.item)} × ≤ ${type.maxCount}`;
    case 'optional': return `u8 present (0/1), then ${typeName(type.inner)}`;
    case 'struct': return type.name ? `[${type.name}](${anchor('struct', type.name)})` : 'struct';
    case 'appended': return `${typeName(type.inner)}, since v1.${type.since}: absent if the payload ends before it`;
  }
}

function intValues(type: IntType): string {
  const wire = { u8: [0, 0xff], u16: [0, 0xffff], u32: [0, 0xffffffff], u48: [0, 2 ** 48 - 1], i8: [-128, 127], i16: [-32768, 32767], i32: [-(2 ** 31), 2 ** 31 - 1] }[type.wire];
  const parts: string[] = [];
  if (type.min !== wire[0] || type.max !== wire[1]) parts.push(`${type.min} … ${type.max}`);
  for (const [name, value] of Object.entries(type.specials ?? {})) parts.push(`${value} = ${name}`);
  return parts.join('; ');
}

function valuesOf(type: FieldType): string {
  if (type.t === 'int') return intValues(type);
  if (type.t === 'array') return valuesOf(type.item);
  if (type.t === 'optional' || type.t === 'appended') return valuesOf(type.inner);
  if (type.t === 'bool') return '0 = false, 1 = true';
  return '';
}

function unitOf(type: FieldType): string {
  if (type.t === 'int' || type.t === 'f32') return type.unit ?? '';
  if (type.t === 'array') return unitOf(type.item);
  if (type.t === 'optional' || type.t === 'appended') return unitOf(type.inner);
  return '';
}

function fieldsTable(type: StructType): string {
  const rows = ['| offset | field | type | unit | values | description |', '| --- | --- | --- | --- | --- | --- |'];
  let offset: number | undefined = 0;
  for (const [name, field] of Object.entries(type.fields)) {
    rows.push(`| ${offset ?? '…'} | \`${name}\` | ${typeName(field)} | ${cell(unitOf(field))} | ${cell(valuesOf(field))} | ${cell(field.doc ?? '')} |`);
    const size = fixedSize(field);
    offset = offset === undefined || size === undefined ? undefined : offset + size;
  }
  if (offset !== undefined) rows.push(`\nFixed size: ${offset} bytes.`);
  return rows.join('\n');
}

function collectStructs(type: FieldType, found: Map<string, StructType>): void {
  switch (type.t) {
    case 'struct':
      if (type.name) {
        const seen = found.get(type.name);
        if (seen && seen !== type && JSON.stringify(Object.keys(seen.fields)) !== JSON.stringify(Object.keys(type.fields))) {
          throw new Error(`two different structures named ${type.name}`);
        }
        if (seen) return;
        found.set(type.name, type);
      }
      for (const f of Object.values(type.fields)) collectStructs(f, found);
      return;
    case 'array': return collectStructs(type.item, found);
    case 'optional': return collectStructs(type.inner, found);
    case 'appended': return collectStructs(type.inner, found);
    default: return;
  }
}

const DIRECTION: Record<string, string> = { 'agv→platform': 'AGV → platform', 'platform→agv': 'platform → AGV', both: 'both' };

export function renderMessageIndex(defs: readonly MessageDef[] = MESSAGE_DEFS): string {
  const rows = ['| type | message | direction | optional | purpose |', '| --- | --- | --- | --- | --- |'];
  for (const d of defs) {
    rows.push(`| ${hex(d.type)} | [\`${d.kind}\`](#msg-${d.kind.toLowerCase()}) | ${DIRECTION[d.direction]} | ${d.type & 0x8000 ? 'yes' : 'no'} | ${cell(d.doc)} |`);
  }
  return rows.join('\n');
}

export function renderMessages(defs: readonly MessageDef[] = MESSAGE_DEFS): string {
  return defs.map((d) => [
    `<a id="msg-${d.kind.toLowerCase()}"></a>`,
    `#### ${d.kind} — ${hex(d.type)} (${DIRECTION[d.direction]})`,
    '',
    d.doc,
    '',
    fieldsTable(d.schema),
  ].join('\n')).join('\n\n');
}

export function renderStructures(defs: readonly MessageDef[] = MESSAGE_DEFS): string {
  const found = new Map<string, StructType>();
  for (const d of defs) for (const f of Object.values(d.schema.fields)) collectStructs(f, found);
  return [...found.values()].map((s) => [
    `<a id="struct-${s.name!.toLowerCase()}"></a>`,
    `#### ${s.name}`,
    '',
    ...(s.doc ? [s.doc, ''] : []),
    fieldsTable(s),
  ].join('\n')).join('\n\n');
}

export function renderEnums(enums: readonly EnumDef[] = ALL_ENUMS): string {
  return enums.map((e) => {
    const rows = ['| value | name | meaning |', '| --- | --- | --- |'];
    for (const [name, value] of Object.entries(e.values) as [string, number][]) {
      rows.push(`| ${value} | \`${name}\` | ${cell((e.valueDocs as Record<string, string | undefined>)[name] ?? '')} |`);
    }
    return [`<a id="enum-${e.name.toLowerCase()}"></a>`, `#### ${e.name}`, '', e.doc, '', rows.join('\n')].join('\n');
  }).join('\n\n');
}

export function renderErrorCodes(): string {
  const rows = ['| number | code | meaning |', '| --- | --- | --- |'];
  for (const [name, num] of Object.entries(ERROR_CODES)) {
    rows.push(`| ${hex(num)} | \`${name}\` | ${cell(ERROR_DESCRIPTIONS[name as ProtocolErrorCode])} |`);
  }
  return rows.join('\n');
}

/** Generated regions of docs/protocol.md by name. */
export function renderSpecRegions(): Record<string, string> {
  return {
    'message-index': renderMessageIndex(),
    messages: renderMessages(),
    structures: renderStructures(),
    enums: renderEnums(),
    'error-codes': renderErrorCodes(),
  };
}

/** Replaces each `<!-- BEGIN GENERATED: name -->…<!-- END GENERATED: name -->` region of text. */
export function fillRegions(text: string, regions: Record<string, string>): string {
  let out = text;
  for (const [name, body] of Object.entries(regions)) {
    const begin = `<!-- BEGIN GENERATED: ${name} -->`;
    const end = `<!-- END GENERATED: ${name} -->`;
    const a = out.indexOf(begin);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`region ${name} not found`);
    out = `${out.slice(0, a + begin.length)}\n${body}\n${out.slice(b)}`;
  }
  return out;
}

// ---------------------------------------------------------------- test vectors

export interface FrameVector {
  name: string;
  seq: number;
  timestamp: number;
  flags: number;
  version: number;
  msgType: number;
  hex: string;
  message: unknown;
}
export interface ErrorVector {
  name: string;
  /** The byte stream, as chunks fed to a stream decoder one after the other. */
  chunks: string[];
  /** What a stream decoder reports, in order: an error code, or "ok:<kind>" for a good frame. */
  events: string[];
}
export interface VectorFile<V> {
  description: string;
  vectors: V[];
}

const SHOWN_FRAME_VECTORS = ['heartbeat', 'accessRequest', 'statusReport', 'motionCommand', 'nack', 'spaceResponse', 'spaceLeaseEnd', 'blockageReport', 'vendorData'];

function splitFrameHex(hex: string, payloadLength: number, signed: boolean): string {
  const h = hex.slice(0, 48);
  const payload = hex.slice(48, 48 + payloadLength * 2);
  const sig = signed ? hex.slice(48 + payloadLength * 2, 48 + payloadLength * 2 + 128) : '';
  const crc = hex.slice(hex.length - 8);
  const wrap = (s: string): string => s.match(/.{1,64}/g)?.join('\n         ') ?? '';
  return [`header:  ${h}`, `payload: ${wrap(payload) || '(empty)'}`, ...(sig ? [`sig:     ${wrap(sig)}`] : []), `crc:     ${crc}`].join('\n');
}

export function renderVectors(frames: VectorFile<FrameVector>, errors: VectorFile<ErrorVector>): string {
  const out: string[] = [];
  out.push('### Frames (selection; all message types are in `docs/vectors/frames.json`)');
  for (const name of SHOWN_FRAME_VECTORS) {
    const v = frames.vectors.find((f) => f.name === name);
    if (!v) continue;
    const payloadLength = (v.hex.length / 2) - 28 - (v.flags & 2 ? 64 : 0);
    out.push('', `#### ${v.name} — seq ${v.seq}, timestamp ${v.timestamp}, flags 0x${v.flags.toString(16).padStart(2, '0')}, ${v.hex.length / 2} bytes`, '');
    out.push('```text', splitFrameHex(v.hex, payloadLength, (v.flags & 2) !== 0), '```', '', 'decodes to:', '', '```json', JSON.stringify(v.message), '```');
  }
  out.push('', '### Malformed input (`docs/vectors/errors.json`)', '', '| case | bytes (hex, chunks separated by " / ") | decoder reports |', '| --- | --- | --- |');
  for (const v of errors.vectors) {
    const bytes = v.chunks.map((c) => (c.length > 72 ? `${c.slice(0, 72)}… (${c.length / 2} B)` : c)).join(' / ');
    out.push(`| ${cell(v.name)} | \`${bytes}\` | ${v.events.join(', ')} |`);
  }
  return out.join('\n');
}
