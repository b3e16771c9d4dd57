// A message = a kind name, a wire type number, who sends it, and its payload fields declared once.
import { struct, type Fields, type FieldType, type StructType, type StructValue } from '../schema/types.ts';

export type Direction = 'agv→platform' | 'platform→agv' | 'both';

/** Type numbers with this bit set are optional: a peer that does not know one may skip the frame. */
export const OPTIONAL_TYPE_BIT = 0x8000;

export interface MessageDef<K extends string = string, F extends Fields = Fields> {
  readonly kind: K;
  readonly type: number;
  readonly direction: Direction;
  readonly doc: string;
  readonly schema: StructType<F>;
}

export function defineMessage<const K extends string, const F extends Fields>(
  kind: K,
  type: number,
  direction: Direction,
  doc: string,
  fields: F,
): MessageDef<K, F> {
  if (!Number.isInteger(type) || type <= 0 || type > 0xffff) throw new Error(`${kind}: bad type number ${type}`);
  if ('kind' in fields) throw new Error(`${kind}: "kind" is reserved`);
  checkAppendedFields(kind, fields);
  return { kind, type, direction, doc, schema: struct(fields) };
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type MessageOf<D> = D extends MessageDef<infer K, infer F> ? Simplify<{ kind: K } & StructValue<F>> : never;

/** Appended (minor-version) fields may only follow all others at a message's top level, in version order. */
export function checkAppendedFields(kind: string, fields: Fields): void {
  let lastSince = 0;
  const nested = (type: FieldType): boolean => {
    switch (type.t) {
      case 'appended': return true;
      case 'struct': return Object.values(type.fields).some(nested);
      case 'array': return nested(type.item);
      case 'optional': return nested(type.inner);
      default: return false;
    }
  };
  for (const [name, type] of Object.entries(fields)) {
    if (type.t === 'appended') {
      if (type.since < lastSince) throw new Error(`${kind}.${name}: appended fields must be in version order`);
      lastSince = type.since;
      if (nested(type.inner)) throw new Error(`${kind}.${name}: appended fields cannot nest appended fields`);
    } else {
      if (lastSince > 0) throw new Error(`${kind}.${name}: regular field after an appended one`);
      if (nested(type)) throw new Error(`${kind}.${name}: appended fields are only allowed at the top level`);
    }
  }
}
