import type { FastifyInstance, FastifyRequest } from 'fastify';

// Query strings and path parameters arrive as text, so a schema's integer `limit` must be read from "50". Bodies are
// JSON and carry their own types: there `"7"` is not 7 and `true` is not 1. The validator therefore never coerces;
// this hook converts exactly the query and path values that spell a number or boolean, and leaves anything else
// (e.g. `limit=abc`) as text for the validator to refuse with a 400.

interface PropertySchema {
  type?: string | string[];
}

interface ObjectSchema {
  properties?: Record<string, PropertySchema>;
}

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function convert(value: string, schema: PropertySchema): unknown {
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  if (types.includes('string')) return value;
  if (types.includes('integer') && INTEGER.test(value)) return Number(value);
  if (types.includes('number') && NUMBER.test(value)) return Number(value);
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function convertAll(values: unknown, schema: unknown): void {
  const properties = (schema as ObjectSchema | undefined)?.properties;
  if (!properties || typeof values !== 'object' || values === null) return;
  const record = values as Record<string, unknown>;
  for (const [name, property] of Object.entries(properties)) {
    const value = record[name];
    if (typeof value === 'string') record[name] = convert(value, property);
  }
}

/** Installs the conversion of query and path values before validation. */
export function installQueryCoercion(app: FastifyInstance): void {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const schema = request.routeOptions.schema;
    if (!schema) return;
    convertAll(request.query, schema.querystring);
    convertAll(request.params, schema.params);
  });
}
