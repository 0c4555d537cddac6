// The vocabulary the per-kind schemas are written in: plain data, one Definition per Go struct
// of k8s.io/api (ObjectMeta, PodSpec, Container, ...), one Field per struct field.
//
// Kubernetes keeps a kind's fields in a Go struct and derives everything else from it: the JSON
// decoder's type checks, the OpenAPI document (`kubectl explain`), the protobuf encoding
// (generated.proto), the unknown-field check of `fieldValidation=Strict`. kubelab has no
// structs, so these Definitions play their part, and json-schema.ts, openapi (daemon/api),
// known-fields.ts and protobuf-objects.ts are generated from them. A field type is one of:
//
//   string / boolean / number      JSON scalars (a string may carry an enum or format 'byte')
//   integer int32 / int64          with the Go type's range, checked at the API boundary
//   int-or-string, quantity, time  Kubernetes' special scalars (IntOrString, Quantity, Time)
//   list / map                     a JSON array of items, a JSON object with any keys
//   object                         another Definition, by reference
//   free                           any JSON object kubelab passes through (affinity, status)

export type ScalarType =
  | { type: 'string'; enum?: readonly string[]; format?: 'byte' }
  | { type: 'boolean' }
  | { type: 'number' }
  | { type: 'integer'; format: 'int32' | 'int64' }
  | { type: 'int-or-string' }
  | { type: 'quantity' }
  | { type: 'time' }
  | { type: 'free' };

export type FieldType = ScalarType | { type: 'list'; items: FieldType } | { type: 'map'; values: FieldType } | { type: 'object'; of: Definition };

export type Field = FieldType & {
  /** One or two sentences of Kubernetes' own field documentation: what `kubectl explain` shows. */
  doc: string;
  /** Kubernetes' OpenAPI marks it required: the object is refused without it. */
  required?: boolean;
  /**
   * Its number in k8s.io/api's generated.proto, for the protobuf decoder; written by
   * tools/proto-numbers.ts from the Kubernetes sources.
   */
  proto?: number;
  /** A field of a Go struct embedded inline (Probe's ProbeHandler): the number of the message it travels in. */
  protoIn?: number;
  /** A Go pointer: on the wire only when set, so a zero there is the client's value (replicas: 0), kept. */
  pointer?: boolean;
};

export interface Definition {
  /** The OpenAPI name Kubernetes gives the struct: `io.k8s.api.core.v1.Container`. */
  name: string;
  doc: string;
  fields: Readonly<Record<string, Field>>;
}

/** A served kind: its group/version/kind and the Definition of its whole object. */
export interface KindSchema {
  group: string;
  version: string;
  kind: string;
  definition: Definition;
}

// ---------------------------------------------------------------------------------------------
// Short constructors, so a Definition reads like the Go struct it mirrors. Each returns plain data.

export type Extra = { required?: boolean; proto?: number; protoIn?: number; pointer?: boolean };

export const INT32_MIN = -2_147_483_648;
export const INT32_MAX = 2_147_483_647;
/** Go's int64 range; JSON numbers this large are already rounded, so the check is about sign and size. */
export const INT64_MIN = -9_223_372_036_854_775_808;
export const INT64_MAX = 9_223_372_036_854_775_807;

export const string = (doc: string, extra: Extra = {}): Field => ({ type: 'string', doc, ...extra });
export const enumOf = (values: readonly string[], doc: string, extra: Extra = {}): Field => ({ type: 'string', enum: values, doc, ...extra });
export const bytes = (doc: string, extra: Extra = {}): Field => ({ type: 'string', format: 'byte', doc, ...extra });
export const boolean = (doc: string, extra: Extra = {}): Field => ({ type: 'boolean', doc, ...extra });
export const int32 = (doc: string, extra: Extra = {}): Field => ({ type: 'integer', format: 'int32', doc, ...extra });
export const int64 = (doc: string, extra: Extra = {}): Field => ({ type: 'integer', format: 'int64', doc, ...extra });
export const intOrString = (doc: string, extra: Extra = {}): Field => ({ type: 'int-or-string', doc, ...extra });
export const quantity = (doc: string, extra: Extra = {}): Field => ({ type: 'quantity', doc, ...extra });
export const time = (doc: string, extra: Extra = {}): Field => ({ type: 'time', doc, ...extra });
export const free = (doc: string, extra: Extra = {}): Field => ({ type: 'free', doc, ...extra });
export const object = (of: Definition, doc: string, extra: Extra = {}): Field => ({ type: 'object', of, doc, ...extra });
export const listOf = (items: FieldType, doc: string, extra: Extra = {}): Field => ({ type: 'list', items, doc, ...extra });
export const mapOf = (values: FieldType, doc: string, extra: Extra = {}): Field => ({ type: 'map', values, doc, ...extra });

/** Item and value types, for lists and maps. */
export const STRING: FieldType = { type: 'string' };
export const BYTES: FieldType = { type: 'string', format: 'byte' };
export const QUANTITY: FieldType = { type: 'quantity' };
export const ref = (of: Definition): FieldType => ({ type: 'object', of });

export const stringList = (doc: string, extra: Extra = {}): Field => listOf(STRING, doc, extra);
export const stringMap = (doc: string, extra: Extra = {}): Field => mapOf(STRING, doc, extra);
export const listOfObjects = (of: Definition, doc: string, extra: Extra = {}): Field => listOf(ref(of), doc, extra);

export const definition = (name: string, doc: string, fields: Record<string, Field>): Definition => ({ name, doc, fields });

/**
 * The top-level Definition of a kind: apiVersion, kind and metadata as every kind has them,
 * then the kind's own fields (spec and status, or data, ...).
 */
export function kindSchema(group: string, version: string, kind: string, doc: string, fields: Record<string, Field>, metadata: Definition): KindSchema {
  const prefix = group === '' ? 'io.k8s.api.core' : `io.k8s.api.${group.split('.')[0]}`;
  return {
    group,
    version,
    kind,
    definition: definition(`${prefix}.${version}.${kind}`, doc, {
      apiVersion: string('APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.'),
      kind: string('Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.'),
      metadata: object(metadata, "Standard object's metadata.", { proto: 1 }),
      ...fields,
    }),
  };
}
