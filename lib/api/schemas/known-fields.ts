// Which fields each kind has: the check behind `fieldValidation=Strict`, kubectl's default.
//
// The real API server decodes JSON into Go structs and reports every field the struct lacks:
// `strict decoding error: unknown field "spec.containers[0].imagee"`. kubelab walks the kind's
// schema instead (the same Definitions the type check and OpenAPI come from): a struct lists
// its fields; lists and maps are walked item by item; `free` objects (affinity,
// securityContext, most `status`) accept any keys.

import { kindSchemaOf } from './index.js';
import type { FieldType, KindSchema } from './schema.js';

/**
 * The paths of fields `resource`'s schema does not know, as the API server names them:
 * `spec.foo`, `spec.containers[0].imagee`. Unknown resources have no schema: nothing is unknown.
 */
export function findUnknownFields(resource: string, obj: unknown): string[] {
  const kind = kindSchemaOf(resource);
  if (!kind) return [];
  const unknown: string[] = [];
  walk(obj, { type: 'object', of: kind.definition }, '', unknown);
  return unknown;
}

/** The same, against one served version's schema (autoscaling/v1 HorizontalPodAutoscaler, converted before it is stored). */
export function findUnknownFieldsOfKind(kind: KindSchema, obj: unknown): string[] {
  const unknown: string[] = [];
  walk(obj, { type: 'object', of: kind.definition }, '', unknown);
  return unknown;
}

function walk(value: unknown, type: FieldType, path: string, unknown: string[]): void {
  // A value of the wrong type is the type check's to report, not an unknown field.
  if (value === null || typeof value !== 'object') return;
  if (type.type === 'list') {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, type.items, `${path}[${i}]`, unknown));
    return;
  }
  if (Array.isArray(value)) return;
  if (type.type === 'map') {
    for (const [key, item] of Object.entries(value)) walk(item, type.values, `${path}[${key}]`, unknown);
    return;
  }
  if (type.type !== 'object') return;
  const fields = type.of.fields;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (!Object.prototype.hasOwnProperty.call(fields, key)) unknown.push(childPath);
    else walk(child, fields[key], childPath, unknown);
  }
}
