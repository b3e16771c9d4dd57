// The schema DSL: each message's fields are declared once with these constructors. The codec compiler
// (compile.ts), the validator and the spec's tables (docs.ts) all read the same declarations, and the
// TypeScript type of every message is inferred from them, so the four cannot drift apart.

export type IntWire = 'u8' | 'u16' | 'u32' | 'u48' | 'i8' | 'i16' | 'i32';
export type PrefixWire = 'u8' | 'u16';

interface Documented {
  /** One line for the spec table. */
  readonly doc?: string;
}

/** Phantom carrier of the decoded TypeScript type V. */
interface Typed<V> {
  readonly __value?: V;
}

export interface IntType extends Typed<number>, Documented {
  readonly t: 'int';
  readonly wire: IntWire;
  readonly min: number;
  readonly max: number;
  readonly unit?: string;
  /** Reserved values allowed outside [min, max], by name (the guide's "special field values"). */
  readonly specials?: Readonly<Record<string, number>>;
}
export interface F32Type extends Typed<number>, Documented {
  readonly t: 'f32';
  readonly unit?: string;
}
export interface BoolType extends Typed<boolean>, Documented {
  readonly t: 'bool';
}
export interface EnumDef<N extends string = string> {
  readonly name: string;
  readonly doc: string;
  readonly values: Readonly<Record<N, number>>;
  /** Decoding table: wire number -> name (sparse). */
  readonly byNumber: ReadonlyMap<number, N>;
  /** Optional per-value descriptions for the spec. */
  readonly valueDocs: Readonly<Partial<Record<N, string>>>;
}
export interface EnumType<N extends string = string> extends Typed<N>, Documented {
  readonly t: 'enum';
  readonly wire: 'u8' | 'u16';
  readonly def: EnumDef<N>;
}
export interface StringType extends Typed<string>, Documented {
  readonly t: 'string';
  readonly prefix: PrefixWire;
  readonly maxBytes: number;
}
export interface BytesType extends Typed<Uint8Array>, Documented {
  readonly t: 'bytes';
  /** Fixed length (no prefix on the wire) or undefined for a length-prefixed field. */
  readonly fixed?: number;
  readonly prefix: PrefixWire;
  readonly maxBytes: number;
}
export interface ArrayType<I extends FieldType = FieldType> extends Typed<InferValue<I>[]>, Documented {
  readonly t: 'array';
  readonly item: I;
  readonly prefix: PrefixWire;
  readonly maxCount: number;
}
export interface StructType<F extends Fields = Fields> extends Typed<StructValue<F>>, Documented {
  readonly t: 'struct';
  /** Name used in the spec for reusable structures (e.g. "Pose"). */
  readonly name?: string;
  readonly fields: F;
}
export interface OptionalType<I extends FieldType = FieldType> extends Typed<InferValue<I> | undefined>, Documented {
  readonly t: 'optional';
  readonly inner: I;
}

/**
 * A field appended to a message in minor version `since` (§5 of the spec): no presence byte; it is absent when
 * the payload ends before it (the sender speaks an older minor). Only at the end of a message's top level.
 */
export interface AppendedType<I extends FieldType = FieldType> extends Typed<InferValue<I> | undefined>, Documented {
  readonly t: 'appended';
  readonly since: number;
  readonly inner: I;
}

export type FieldType =
  | AppendedType<FieldType>
  | IntType
  | F32Type
  | BoolType
  | EnumType
  | StringType
  | BytesType
  | ArrayType<FieldType>
  | StructType<Fields>
  | OptionalType<FieldType>;

export type Fields = { readonly [name: string]: FieldType };

export type InferValue<T> = T extends Typed<infer V> ? V : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends OptionalType | AppendedType ? K : never }[keyof F];
type RequiredKeys<F extends Fields> = Exclude<keyof F, OptionalKeys<F>>;

export type StructValue<F extends Fields> = Simplify<
  { [K in RequiredKeys<F>]: InferValue<F[K]> } & { [K in OptionalKeys<F>]?: InferValue<F[K]> }
>;

const INT_RANGES: Record<IntWire, [number, number]> = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  u32: [0, 0xffffffff],
  u48: [0, 2 ** 48 - 1],
  i8: [-0x80, 0x7f],
  i16: [-0x8000, 0x7fff],
  i32: [-0x80000000, 0x7fffffff],
};

interface IntOptions extends Documented {
  min?: number;
  max?: number;
  unit?: string;
  specials?: Record<string, number>;
}

function int(wire: IntWire, options: IntOptions = {}): IntType {
  const [wireMin, wireMax] = INT_RANGES[wire];
  const min = options.min ?? wireMin;
  const max = options.max ?? wireMax;
  if (min < wireMin || max > wireMax || min > max) throw new Error(`bad range [${min}, ${max}] for ${wire}`);
  return { t: 'int', wire, min, max, unit: options.unit, specials: options.specials, doc: options.doc };
}

export const u8 = (o?: IntOptions): IntType => int('u8', o);
export const u16 = (o?: IntOptions): IntType => int('u16', o);
export const u32 = (o?: IntOptions): IntType => int('u32', o);
export const u48 = (o?: IntOptions): IntType => int('u48', o);
export const i8 = (o?: IntOptions): IntType => int('i8', o);
export const i16 = (o?: IntOptions): IntType => int('i16', o);
export const i32 = (o?: IntOptions): IntType => int('i32', o);
export const f32 = (o: { unit?: string; doc?: string } = {}): F32Type => ({ t: 'f32', ...o });
export const bool = (o: Documented = {}): BoolType => ({ t: 'bool', doc: o.doc });

export function defineEnum<const V extends Record<string, number>>(
  name: string,
  doc: string,
  values: V,
  valueDocs: Partial<Record<keyof V & string, string>> = {},
): EnumDef<keyof V & string> {
  const byNumber = new Map<number, keyof V & string>();
  for (const [key, num] of Object.entries(values)) {
    if (byNumber.has(num)) throw new Error(`enum ${name}: duplicate value ${num}`);
    byNumber.set(num, key as keyof V & string);
  }
  return { name, doc, values, byNumber, valueDocs };
}

export function enumOf<N extends string>(def: EnumDef<N>, o: Documented & { wire?: 'u8' | 'u16' } = {}): EnumType<N> {
  const wire = o.wire ?? 'u8';
  const limit = wire === 'u8' ? 0xff : 0xffff;
  for (const num of def.byNumber.keys()) if (num < 0 || num > limit) throw new Error(`enum ${def.name}: ${num} exceeds ${wire}`);
  return { t: 'enum', wire, def, doc: o.doc };
}

export function string(o: Documented & { maxBytes: number; prefix?: PrefixWire }): StringType {
  const prefix = o.prefix ?? (o.maxBytes <= 0xff ? 'u8' : 'u16');
  return { t: 'string', prefix, maxBytes: o.maxBytes, doc: o.doc };
}

export function bytes(o: Documented & ({ fixed: number } | { maxBytes: number; prefix?: PrefixWire })): BytesType {
  if ('fixed' in o) return { t: 'bytes', fixed: o.fixed, prefix: 'u8', maxBytes: o.fixed, doc: o.doc };
  const prefix = o.prefix ?? (o.maxBytes <= 0xff ? 'u8' : 'u16');
  return { t: 'bytes', prefix, maxBytes: o.maxBytes, doc: o.doc };
}

export function array<I extends FieldType>(item: I, o: Documented & { maxCount: number; prefix?: PrefixWire }): ArrayType<I> {
  const prefix = o.prefix ?? (o.maxCount <= 0xff ? 'u8' : 'u16');
  return { t: 'array', item, prefix, maxCount: o.maxCount, doc: o.doc };
}

export function struct<const F extends Fields>(fields: F, o: Documented & { name?: string } = {}): StructType<F> {
  return { t: 'struct', fields, name: o.name, doc: o.doc };
}

export function optional<I extends FieldType>(inner: I, o: Documented = {}): OptionalType<I> {
  return { t: 'optional', inner, doc: o.doc ?? inner.doc };
}

/** A field added in minor version `since` (1 … 15), appended at the end of a message. */
export function appended<I extends FieldType>(since: number, inner: I, o: Documented = {}): AppendedType<I> {
  if (!Number.isInteger(since) || since < 1 || since > 15) throw new Error(`appended: minor version ${since} not in 1…15`);
  return { t: 'appended', since, inner, doc: o.doc ?? inner.doc };
}

/** Copy of a type with a different doc line (reusable structures documented per use). */
export function withDoc<T extends FieldType>(type: T, doc: string): T {
  return { ...type, doc };
}

const FIXED_SIZES: Record<IntWire, number> = { u8: 1, u16: 2, u32: 4, u48: 6, i8: 1, i16: 2, i32: 4 };

export function intSize(wire: IntWire): number {
  return FIXED_SIZES[wire];
}

/** Encoded size when it does not depend on the value, else undefined. */
export function fixedSize(type: FieldType): number | undefined {
  switch (type.t) {
    case 'int':
      return FIXED_SIZES[type.wire];
    case 'f32':
      return 4;
    case 'bool':
      return 1;
    case 'enum':
      return type.wire === 'u8' ? 1 : 2;
    case 'bytes':
      return type.fixed;
    case 'struct': {
      let total = 0;
      for (const field of Object.values(type.fields)) {
        const size = fixedSize(field);
        if (size === undefined) return undefined;
        total += size;
      }
      return total;
    }
    default:
      return undefined;
  }
}

/** Smallest possible encoded size (used to reject impossible array counts before allocating). */
export function minSize(type: FieldType): number {
  switch (type.t) {
    case 'string':
      return type.prefix === 'u8' ? 1 : 2;
    case 'bytes':
      return type.fixed ?? (type.prefix === 'u8' ? 1 : 2);
    case 'array':
      return type.prefix === 'u8' ? 1 : 2;
    case 'optional':
      return 1;
    case 'appended':
      return 0;
    case 'struct':
      return Object.values(type.fields).reduce((sum, f) => sum + minSize(f), 0);
    default:
      return fixedSize(type)!;
  }
}
