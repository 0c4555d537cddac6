// The first check at the API boundary: does each field of the object have its schema's type,
// range and enum value? kube-apiserver gets this from decoding JSON into Go structs (and, for
// custom resources, from kube-openapi's validator, whose wording is used here):
//
//   spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
//   spec.replicas: Invalid value: 2147483648: spec.replicas in body should be less than or equal to 2147483647
//   spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"
//
// Semantic validation (lib/api/validation.ts) runs after, and may assume every field it reads
// has its JSON type. The JSON Schema is compiled by ajv into JavaScript once (createApiApp does
// it at start; 0.4-0.9 s for all kinds), after which checking a typical Deployment costs a few
// microseconds (bench/schema-validation.ts).

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from '../../errors.js';
import { definitionsOf, KIND_SCHEMAS, kindSchemaOf } from './index.js';
import { validationRef, validationSchema } from './json-schema.js';
import type { FieldType, KindSchema } from './schema.js';

/** At most this many causes per answer: a list of 100,000 wrong items makes one short 422, not a 10 MB one. */
const MAX_CAUSES = 50;

let validators: Map<string, ValidateFunction> | undefined;

/** Compiles every kind's schema (once; later calls return the same validators). */
export function compileSchemas(): Map<string, ValidateFunction> {
  if (validators) return validators;
  // allErrors: report every wrong field at once, as Kubernetes does; verbose: errors carry the value.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
  const kinds = Object.values(KIND_SCHEMAS);
  ajv.addSchema(validationSchema(definitionsOf(kinds.map((k) => k.definition)).values()));
  validators = new Map(Object.entries(KIND_SCHEMAS).map(([resource, kind]) => [resource, ajv.compile({ $ref: validationRef(kind.definition) })]));
  return validators;
}

/** Every field of `obj` (of `resource`, a store key) whose type, range or enum value is wrong, with Kubernetes' field paths. */
export function validateAgainstSchema(resource: string, obj: unknown): FieldError[] {
  const kind = kindSchemaOf(resource);
  const validate = compileSchemas().get(resource);
  if (!kind || !validate || validate(obj)) return [];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const path = fieldPath(kind, error);
    // One cause per field: a number where an enum string belongs fails `type` and `enum`; the first says it.
    if (seen.has(path)) continue;
    seen.add(path);
    errors.push(toFieldError(path, error));
    if (errors.length === MAX_CAUSES) break;
  }
  return errors;
}

/** The JSON type name of a value, as kube-openapi names it in messages. */
export function jsonTypeOf(value: unknown): string {
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

function toFieldError(path: string, error: ErrorObject): FieldError {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const expected = ([] as string[]).concat(params.type as string | string[]).filter((t) => t !== 'null').join(' or ');
      const actual = jsonTypeOf(error.data);
      return { field: path, type: 'FieldValueTypeInvalid', message: `Invalid value: "${actual}": ${path} in body must be of type ${expected}: "${actual}"` };
    }
    case 'maximum':
      return fieldInvalid(path, error.data, `${path} in body should be less than or equal to ${String(params.limit)}`);
    case 'minimum':
      return fieldInvalid(path, error.data, `${path} in body should be greater than or equal to ${String(params.limit)}`);
    case 'enum':
      return fieldNotSupported(path, error.data, (params.allowedValues as unknown[]).filter((v): v is string => v !== null));
    case 'required':
      return fieldRequired(path);
    default:
      return fieldInvalid(path, shortValue(error.data), `${path} in body ${error.message ?? 'is invalid'}`);
  }
}

/**
 * ajv's JSON pointer (`/spec/containers/0/ports`) as Kubernetes writes a field path
 * (`spec.containers[0].ports`): walking the schema tells a struct field (`.name`) from a list
 * index or a map key (`[0]`, `data[key]`). A missing required field is named by its own path.
 */
export function fieldPath(kind: KindSchema, error: ErrorObject): string {
  const segments = error.instancePath === '' ? [] : error.instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') segments.push(String((error.params as { missingProperty: string }).missingProperty));
  let path = '';
  let current: FieldType | undefined = { type: 'object', of: kind.definition };
  for (const segment of segments) {
    if (current?.type === 'list' || current?.type === 'map') {
      path += `[${segment}]`;
      current = current.type === 'list' ? current.items : current.values;
    } else {
      path += path === '' ? segment : `.${segment}`;
      current = current?.type === 'object' && Object.prototype.hasOwnProperty.call(current.of.fields, segment) ? current.of.fields[segment] : undefined;
    }
  }
  return path;
}
