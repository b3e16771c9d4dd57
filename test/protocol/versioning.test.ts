// Versioning rules of §5 with real codecs: a v1.1 message with an appended field against a v1.0 peer, both ways.
import { describe, expect, it } from 'vitest';
import { checkAppendedFields } from '../../src/protocol/messages/define.ts';
import { compileDecoder, compileEncoder } from '../../src/protocol/schema/compile.ts';
import { Writer } from '../../src/protocol/schema/runtime.ts';
import { appended, array, string, struct, u16, u32, type StructType } from '../../src/protocol/schema/types.ts';
import { ProtocolError } from '../../src/protocol/index.ts';

// The same message in two minor versions: 1.1 appends two fields.
const v10 = struct({ requestId: u32(), name: string({ maxBytes: 32 }) });
const v11 = struct({ requestId: u32(), name: string({ maxBytes: 32 }), priority: appended(1, u16()), tags: appended(1, array(u16(), { maxCount: 4 })) });

function encode(type: StructType, value: unknown): Uint8Array {
  const w = new Writer(16);
  compileEncoder(type)(w, value);
  return w.u8.slice(0, w.p);
}
const decode = (type: StructType, bytes: Uint8Array): unknown => compileDecoder(type)(bytes, 0, bytes.length);

describe('minor-version compatibility', () => {
  it('a 1.0 decoder reads a 1.1 payload, ignoring the appended fields', () => {
    const bytes = encode(v11, { requestId: 7, name: 'lift', priority: 3, tags: [1, 2] });
    expect(decode(v10, bytes)).toEqual({ requestId: 7, name: 'lift' });
  });

  it('a 1.1 decoder reads a 1.0 payload: the appended fields are absent', () => {
    const bytes = encode(v10, { requestId: 7, name: 'lift' });
    expect(decode(v11, bytes)).toEqual({ requestId: 7, name: 'lift', priority: undefined, tags: undefined });
  });

  it('a 1.1 sender talking 1.0 leaves appended fields out; one present after an absent one is refused', () => {
    expect(encode(v11, { requestId: 7, name: 'lift' })).toEqual(encode(v10, { requestId: 7, name: 'lift' }));
    expect(decode(v11, encode(v11, { requestId: 7, name: 'x', priority: 9 }))).toEqual({ requestId: 7, name: 'x', priority: 9, tags: undefined });
    expect(() => encode(v11, { requestId: 7, name: 'x', tags: [1] })).toThrow(ProtocolError);
  });

  it('declarations are checked: appended fields only last, at the top level, in version order', () => {
    expect(() => checkAppendedFields('m', { a: appended(1, u16()), b: u16() })).toThrow(/regular field after/);
    expect(() => checkAppendedFields('m', { a: struct({ x: appended(1, u16()) }) })).toThrow(/top level/);
    expect(() => checkAppendedFields('m', { a: appended(2, u16()), b: appended(1, u16()) })).toThrow(/version order/);
    expect(() => checkAppendedFields('m', v11.fields)).not.toThrow();
  });
});
