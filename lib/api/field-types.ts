// Type checks of API fields: is `ports` a list, is `replicas` an int32? The step kube-apiserver
// does by decoding JSON into Go structs, before defaulting and validation ever run.
//
// Without it a pod with `ports: "80"` is stored, and then every component that reads it (the
// scheduler's `(c.ports ?? []).filter`) throws on every pass. Defaulting and semantic
// validation may therefore assume that the fields they read have the right JSON type.
//
// A FieldSchema is a small subset of JSON Schema on purpose (type, properties,
// additionalProperties, items, minimum, maximum, with the same meanings), so the generated
// schema per kind that issue 12 plans can replace the hand-written ones in field-schemas.ts
// without changing any caller. Fields a schema does not mention are not checked here.

import { fieldInvalid, type FieldError } from '../errors.js';

export type FieldSchema =
  | { type: 'string' | 'boolean' | 'number' }
  | { type: 'integer'; minimum?: number; maximum?: number }
  | { type: 'array'; items?: FieldSchema }
  | { type: 'object'; properties?: Record<string, FieldSchema>; additionalProperties?: FieldSchema };

/** Kubernetes' int32 fields (replicas, ports, minReadySeconds) hold -2^31 .. 2^31-1. */
export const INT32_MIN = -2_147_483_648;
export const INT32_MAX = 2_147_483_647;

export const int32: FieldSchema = { type: 'integer', minimum: INT32_MIN, maximum: INT32_MAX };
export const stringType: FieldSchema = { type: 'string' };
export const booleanType: FieldSchema = { type: 'boolean' };
export const stringList: FieldSchema = { type: 'array', items: stringType };
export const stringMap: FieldSchema = { type: 'object', additionalProperties: stringType };
export const listOf = (items: FieldSchema): FieldSchema => ({ type: 'array', items });
export const objectWith = (properties: Record<string, FieldSchema> = {}): FieldSchema => ({ type: 'object', properties });

/** The JSON type of a value, as JSON Schema names it. */
function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** The value for a message: itself when short, else its JSON type (a 3 MiB list is not echoed). */
export function shortValue(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text !== undefined && text.length <= 60 ? value : jsonTypeOf(value);
}

/** A child's field path as Kubernetes writes it: `spec.containers[0].ports`, `data[key]`. */
const childPath = (path: string, key: string | number, inMap: boolean): string =>
  typeof key === 'number' ? `${path}[${key}]` : inMap ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * Every place where `value` does not have the type `schema` gives, as 422 causes named by field
 * path. `null` counts as absent, as in Kubernetes' JSON decoding.
 */
export function checkFieldTypes(value: unknown, schema: FieldSchema, path = ''): FieldError[] {
  if (value === undefined || value === null) return [];
  const actual = jsonTypeOf(value);
  const matches = actual === schema.type || (schema.type === 'number' && actual === 'integer');
  if (!matches) return [fieldInvalid(path, shortValue(value), `must be of type ${schema.type}`)];

  switch (schema.type) {
    case 'integer': {
      const n = value as number;
      if ((schema.minimum !== undefined && n < schema.minimum) || (schema.maximum !== undefined && n > schema.maximum)) {
        return [fieldInvalid(path, value, `must be between ${schema.minimum ?? '-∞'} and ${schema.maximum ?? '∞'}`)];
      }
      return [];
    }
    case 'array':
      return schema.items ? (value as unknown[]).flatMap((item, i) => checkFieldTypes(item, schema.items!, childPath(path, i, false))) : [];
    case 'object': {
      const errors: FieldError[] = [];
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        const known = schema.properties && Object.prototype.hasOwnProperty.call(schema.properties, key) ? schema.properties[key] : undefined;
        if (known) errors.push(...checkFieldTypes(child, known, childPath(path, key, false)));
        else if (schema.additionalProperties) errors.push(...checkFieldTypes(child, schema.additionalProperties, childPath(path, key, true)));
      }
      return errors;
    }
    default:
      return [];
  }
}
