// A message = a kind name, a wire type number, who sends it, and its payload fields declared once.
import { struct, type Fields, type StructType, type StructValue } from '../schema/types.ts';

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
  return { kind, type, direction, doc, schema: struct(fields) };
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type MessageOf<D> = D extends MessageDef<infer K, infer F> ? Simplify<{ kind: K } & StructValue<F>> : never;
