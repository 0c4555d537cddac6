// Decodes the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`) of the few
// objects kubectl sends that way, into the same JSON objects every other request carries.
//
// Why: kubectl's typed clients (`kubectl create secret|configmap|namespace ...`) POST protobuf,
// not JSON, and a server that refuses it breaks those commands. Kubernetes wraps every object
// in an envelope: the 4 magic bytes `k8s\0`, then a runtime.Unknown message
// {1: typeMeta {1: apiVersion, 2: kind}, 2: raw (the object's own message), 3: contentEncoding,
// 4: contentType}. The object's fields are numbered as in k8s.io/api's generated.proto: the
// numbers are in each kind's schema (lib/api/schemas, `proto`), and the kinds whose fields all
// have one can be decoded; any other kind gets a 415 that says what to do.

import { ApiError } from '../errors.js';
import { ProtobufError, readFields, type WireField } from './protobuf-wire.js';
import { REVIEW_SCHEMAS } from './schemas/authorization.js';
import { CONVERTED_VERSION_SCHEMAS, KIND_SCHEMAS, REQUEST_ONLY_SCHEMAS } from './schemas/index.js';
import type { Definition, FieldType } from './schemas/schema.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from('k8s\0', 'latin1');

type WireFieldType =
  | 'string' | 'bytes' | 'bool' | 'int' | 'double'
  | 'time' | 'quantity' | 'intOrString' | 'rawJson'
  | 'skip' | 'refuse' | MessageSchema | { map: WireFieldType };
interface FieldSpec {
  name: string;
  type: WireFieldType;
  repeated?: boolean;
  /** A Go pointer: a zero value on the wire was set by the client and is kept. */
  pointer?: boolean;
  /** An inline-embedded Go struct: its fields go into the parent object. */
  inline?: boolean;
}
interface MessageSchema {
  definition: string;
  fields: Record<number, FieldSpec>;
}

/**
 * How a schema field travels on the wire. Kubernetes' special scalars are small messages:
 * Time is {1: seconds, 2: nanos}, Quantity is {1: string}, IntOrString is {1: type, 2: intVal,
 * 3: strVal}. A kind's status is the server's to write (kubelab resets it on create, as
 * Kubernetes does), so it is skipped; any other free-form field kubelab only passes through
 * (the cloud volume sources it refuses) cannot be decoded without its Go type and is refused.
 */
function wireTypeOf(name: string, type: FieldType): WireFieldType {
  switch (type.type) {
    case 'string':
      return type.format === 'byte' ? 'bytes' : 'string';
    case 'boolean':
      return 'bool';
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'time':
      return 'time';
    case 'quantity':
      return 'quantity';
    case 'int-or-string':
      return 'intOrString';
    case 'free':
      return name === 'status' ? 'skip' : 'refuse';
    case 'map':
      return { map: wireTypeOf(name, type.values) };
    case 'list':
      return wireTypeOf(name, type.items);
    case 'object':
      return messageSchemaOf(type.of);
  }
}

const messageSchemas = new Map<string, MessageSchema>();

/** A Definition's protobuf message: its fields by number (`proto`), inline-embedded ones grouped by `protoIn`. */
function messageSchemaOf(def: Definition): MessageSchema {
  let schema = messageSchemas.get(def.name);
  if (schema) return schema;
  schema = { definition: def.name, fields: {} };
  messageSchemas.set(def.name, schema);
  for (const [name, field] of Object.entries(def.fields)) {
    if (field.proto === undefined) continue;
    const spec: FieldSpec = { name, type: wireTypeOf(name, field), repeated: field.type === 'list', pointer: field.pointer };
    if (field.protoIn === undefined) {
      schema.fields[field.proto] = spec;
      continue;
    }
    const embedded = (schema.fields[field.protoIn] ??= { name: '', inline: true, type: { definition: `${def.name} (embedded)`, fields: {} } });
    (embedded.type as MessageSchema).fields[field.proto] = spec;
  }
  return schema;
}

/**
 * Every served kind's message, keyed `v1/Secret` (apiVersion and kind travel in the envelope).
 * Field numbers are those of k8s.io/api's generated.proto, written into lib/api/schemas by
 * tools/proto-numbers.ts.
 */
export const OBJECT_SCHEMAS: Record<string, MessageSchema> = Object.fromEntries(
  [...Object.values(KIND_SCHEMAS), ...CONVERTED_VERSION_SCHEMAS, ...REQUEST_ONLY_SCHEMAS, ...REVIEW_SCHEMAS].map((kind) => [`${kind.group ? `${kind.group}/` : ''}${kind.version}/${kind.kind}`, messageSchemaOf(kind.definition)]),
);

function bytesOf(field: WireField, spec: FieldSpec): Buffer {
  if (field.field.wireType !== 2) throw new ProtobufError(`field "${spec.name}" should be length-delimited`);
  return field.field.value;
}

function varintOf(field: WireField, spec: FieldSpec): bigint {
  if (field.field.wireType !== 0) throw new ProtobufError(`field "${spec.name}" should be a varint`);
  return field.field.value;
}

/** The fields of a small fixed message (Time, Quantity, IntOrString, a map entry) by number. */
function smallMessage(buffer: Buffer): Map<number, WireField> {
  const fields = new Map<number, WireField>();
  for (const field of readFields(buffer)) fields.set(field.fieldNumber, field);
  return fields;
}

function decodeValue(field: WireField, spec: FieldSpec, type: WireFieldType = spec.type): unknown {
  if (type === 'string') return bytesOf(field, spec).toString('utf8');
  if (type === 'bytes') return bytesOf(field, spec).toString('base64');
  if (type === 'bool') return varintOf(field, spec) !== 0n;
  if (type === 'int') return Number(BigInt.asIntN(64, varintOf(field, spec)));
  if (type === 'double') {
    if (field.field.wireType !== 1) throw new ProtobufError(`field "${spec.name}" should be a 64-bit double`);
    return field.field.value.readDoubleLE(0);
  }
  if (type === 'quantity') {
    const value = smallMessage(bytesOf(field, spec)).get(1);
    return value?.field.wireType === 2 ? value.field.value.toString('utf8') : '';
  }
  if (type === 'time') {
    const parts = smallMessage(bytesOf(field, spec));
    const seconds = parts.get(1)?.field.wireType === 0 ? Number(BigInt.asIntN(64, parts.get(1)!.field.value as bigint)) : 0;
    return seconds === 0 ? '' : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  if (type === 'intOrString') {
    const parts = smallMessage(bytesOf(field, spec));
    const isString = parts.get(1)?.field.wireType === 0 && parts.get(1)!.field.value === 1n;
    if (isString) return parts.get(3)?.field.wireType === 2 ? (parts.get(3)!.field.value as Buffer).toString('utf8') : '';
    return parts.get(2)?.field.wireType === 0 ? Number(BigInt.asIntN(32, parts.get(2)!.field.value as bigint)) : 0;
  }
  if (type === 'rawJson') return JSON.parse(bytesOf(field, spec).toString('utf8'));
  if (typeof type === 'object' && 'fields' in type) return decodeMessage(bytesOf(field, spec), type);
  throw new ProtobufError(`field "${spec.name}" has no decoding`);
}

/** True when a field on the wire holds its type's zero value (0, false, "", an empty message). */
function isZero(field: WireField): boolean {
  return field.field.wireType === 0 ? field.field.value === 0n : field.field.value.length === 0;
}

/**
 * Decodes one message by its schema. Go's protobuf marshaller writes every non-pointer field,
 * even empty ones (`name: ""`, `generation: 0`); those are dropped here so the object reads
 * like the JSON kubectl would have sent (`omitempty`), while a pointer's zero (`replicas: 0`,
 * `automountServiceAccountToken: false`) is the client's choice and kept. A field number the
 * schema does not know, holding a value, is refused: kubelab would otherwise drop it unseen.
 */
export function decodeMessage(buffer: Buffer, schema: MessageSchema): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const set = new Set<string>();
  for (const field of readFields(buffer)) {
    const spec = schema.fields[field.fieldNumber];
    if (!spec) {
      if (isZero(field)) continue;
      throw new ApiError(415, 'UnsupportedMediaType', `protobuf field ${field.fieldNumber} of ${schema.definition} is not a field kubelab knows; send JSON instead to see it named and refused`);
    }
    if (spec.type === 'skip') continue;
    if (spec.type === 'refuse') {
      if (isZero(field)) continue;
      throw new ApiError(415, 'UnsupportedMediaType', `${schema.definition}.${spec.name} cannot be decoded from protobuf by kubelab (it only passes this field through); send JSON instead`);
    }
    if (spec.inline) {
      Object.assign(object, decodeValue(field, spec));
      continue;
    }
    if (typeof spec.type === 'object' && 'map' in spec.type) {
      const entry = smallMessage(bytesOf(field, spec));
      const key = entry.get(1)?.field.wireType === 2 ? (entry.get(1)!.field.value as Buffer).toString('utf8') : '';
      const valueField = entry.get(2) ?? { fieldNumber: 2, field: { wireType: 2 as const, value: Buffer.alloc(0) } };
      const map = (object[spec.name] ??= {}) as Record<string, unknown>;
      map[key] = decodeValue(valueField, spec, spec.type.map);
      continue;
    }
    const value = decodeValue(field, spec);
    if (spec.repeated) ((object[spec.name] ??= []) as unknown[]).push(value);
    else object[spec.name] = value;
    if (spec.pointer) set.add(spec.name);
  }
  for (const [name, value] of Object.entries(object)) {
    if (set.has(name) && value !== '') continue;
    if (value === '' || value === 0 || value === false) delete object[name];
  }
  return object;
}

/** runtime.Unknown: {1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}. */
const ENVELOPE: MessageSchema = {
  definition: 'runtime.Unknown',
  fields: {
    1: { name: 'typeMeta', type: { definition: 'runtime.TypeMeta', fields: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } } } },
    2: { name: 'raw', type: 'bytes' },
    3: { name: 'contentEncoding', type: 'string' },
    4: { name: 'contentType', type: 'string' },
  },
};

/** The JSON object carried by a Kubernetes protobuf request body. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ApiError(400, 'BadRequest', 'the protobuf request body does not start with the Kubernetes magic bytes "k8s\\0"');
  }
  try {
    const envelope = decodeMessage(body.subarray(MAGIC.length), ENVELOPE);
    const { apiVersion = '', kind = '' } = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
    const schema = OBJECT_SCHEMAS[`${apiVersion}/${kind}`];
    if (!schema) {
      const known = Object.keys(OBJECT_SCHEMAS).join(', ');
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `kubelab decodes protobuf request bodies only for ${known}, not ${apiVersion}/${kind}; send JSON instead (for kubectl: \`kubectl create ... --dry-run=client -o yaml | kubectl create -f -\`)`,
      );
    }
    const raw = Buffer.from(String(envelope.raw ?? ''), 'base64');
    return { apiVersion, kind, ...decodeMessage(raw, schema) };
  } catch (err) {
    if (err instanceof ProtobufError) throw new ApiError(400, 'BadRequest', `${err.message} (in a ${PROTOBUF_MEDIA_TYPE} request body)`);
    throw err;
  }
}
