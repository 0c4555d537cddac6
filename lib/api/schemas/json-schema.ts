// JSON Schema generated from the per-kind Definitions, in two dialects:
//
// - for validation (ajv, at the API boundary): every field may also be `null`, because
//   Kubernetes' JSON decoder reads null as "absent" (`creationTimestamp: null` in every template
//   kubectl sends); no descriptions; unknown fields allowed (fieldValidation decides about them).
// - for OpenAPI v3 (`/openapi/v3/...`, `kubectl explain`): Kubernetes' own shapes, with
//   descriptions, `allOf: [{$ref}]` for struct fields, IntOrString / Quantity / Time as the
//   named components Kubernetes publishes, and `x-kubernetes-group-version-kind` on each kind.

import { INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, type Definition, type Field, type FieldType, type KindSchema } from './schema.js';

export type JsonSchema = Record<string, unknown>;
type Dialect = 'validation' | 'openapi';

/** The components every OpenAPI document refers to for Kubernetes' special scalars. */
export const SCALAR_COMPONENTS: Record<string, JsonSchema> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    description: 'IntOrString is a type that can hold an int32 or a string.',
    type: 'string',
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
  },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    description: 'Quantity is a fixed-point representation of a number: a decimal or binary SI suffix on a number (`100m` CPU, `64Mi` memory), or a plain number.',
    type: 'string',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': {
    description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON. Wrappers are provided for many of the factory methods that the time package offers.',
    type: 'string',
    format: 'date-time',
  },
};
const SCALAR_REF: Partial<Record<FieldType['type'], string>> = {
  'int-or-string': 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  quantity: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
  time: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
};

const VALIDATION_PREFIX = 'kubelab#/$defs/';
const OPENAPI_PREFIX = '#/components/schemas/';

/** `type: [x, 'null']` for validation, `type: x` for OpenAPI. */
const typed = (dialect: Dialect, ...types: string[]): JsonSchema => ({ type: dialect === 'validation' ? [...types, 'null'] : types[0] });

function integerRange(format: 'int32' | 'int64'): JsonSchema {
  return format === 'int32' ? { minimum: INT32_MIN, maximum: INT32_MAX } : { minimum: INT64_MIN, maximum: INT64_MAX };
}

/** The JSON Schema of one field type. */
export function typeSchema(t: FieldType, dialect: Dialect): JsonSchema {
  switch (t.type) {
    case 'string': {
      const schema = typed(dialect, 'string');
      if (t.format && dialect === 'openapi') schema.format = t.format;
      if (t.enum) schema.enum = dialect === 'validation' ? [...t.enum, null] : [...t.enum];
      return schema;
    }
    case 'boolean':
    case 'number':
      return typed(dialect, t.type);
    case 'integer':
      return dialect === 'validation' ? { ...typed(dialect, 'integer'), ...integerRange(t.format) } : { type: 'integer', format: t.format };
    case 'int-or-string':
      return dialect === 'validation' ? { ...typed(dialect, 'integer', 'string'), ...integerRange('int32') } : { $ref: OPENAPI_PREFIX + SCALAR_REF[t.type] };
    case 'quantity':
      return dialect === 'validation' ? typed(dialect, 'string', 'number') : { $ref: OPENAPI_PREFIX + SCALAR_REF[t.type] };
    case 'time':
      return dialect === 'validation' ? typed(dialect, 'string') : { $ref: OPENAPI_PREFIX + SCALAR_REF[t.type] };
    case 'free':
      return dialect === 'validation' ? typed(dialect, 'object') : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    case 'list':
      return { ...typed(dialect, 'array'), items: itemSchema(t.items, dialect) };
    case 'map':
      return { ...typed(dialect, 'object'), additionalProperties: itemSchema(t.values, dialect) };
    case 'object':
      return { $ref: (dialect === 'validation' ? VALIDATION_PREFIX : OPENAPI_PREFIX) + t.of.name };
  }
}

/** Items of lists and values of maps: in OpenAPI, a struct is `allOf: [{$ref}]` with `default: {}`, as Kubernetes writes it. */
function itemSchema(t: FieldType, dialect: Dialect): JsonSchema {
  const schema = typeSchema(t, dialect);
  return dialect === 'openapi' && '$ref' in schema ? { default: {}, allOf: [schema] } : schema;
}

function fieldSchema(field: Field, dialect: Dialect): JsonSchema {
  const schema = typeSchema(field, dialect);
  if (dialect === 'validation') return schema;
  if ('$ref' in schema) return field.type === 'object' ? { default: {}, allOf: [schema], description: field.doc } : { ...schema, description: field.doc };
  return { ...schema, description: field.doc };
}

/** One Definition (a Go struct) as an object schema. */
export function definitionSchema(def: Definition, dialect: Dialect): JsonSchema {
  const properties = Object.fromEntries(Object.entries(def.fields).map(([name, field]) => [name, fieldSchema(field, dialect)]));
  const required = Object.entries(def.fields).filter(([, f]) => f.required).map(([name]) => name);
  return {
    ...(dialect === 'openapi' ? { description: def.doc } : {}),
    ...typed(dialect, 'object'),
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
}

/** The OpenAPI v3 `components.schemas` for `kinds`: each kind carries its group/version/kind, as kubectl explain looks it up. */
export function openApiComponents(kinds: readonly KindSchema[], definitions: Iterable<Definition>): Record<string, JsonSchema> {
  const components: Record<string, JsonSchema> = { ...SCALAR_COMPONENTS };
  for (const def of definitions) components[def.name] = definitionSchema(def, 'openapi');
  for (const kind of kinds) {
    components[kind.definition.name]['x-kubernetes-group-version-kind'] = [{ group: kind.group, kind: kind.kind, version: kind.version }];
  }
  return components;
}

/** The validation schema holding every definition under `$defs`, with `$id: kubelab`: kinds refer to it by `kubelab#/$defs/NAME`. */
export function validationSchema(definitions: Iterable<Definition>): JsonSchema {
  const $defs: Record<string, JsonSchema> = {};
  for (const def of definitions) $defs[def.name] = definitionSchema(def, 'validation');
  return { $id: 'kubelab', $defs };
}

export const validationRef = (def: Definition): string => VALIDATION_PREFIX + def.name;
