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
import { CONVERTED_VERSION_SCHEMAS, KIND_SCHEMAS } from './schemas/index.js';
import type { Definition, FieldType } from './schemas/schema.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from('k8s\0', 'latin1');

type WireFieldType = 'string' | 'bytes' | 'bool' | 'int' | 'stringMap' | 'bytesMap' | 'skip' | MessageSchema;
interface FieldSpec {
  name: string;
  type: WireFieldType;
  repeated?: boolean;
}
type MessageSchema = Record<number, FieldSpec>;

/**
 * How a schema field travels on the wire. Timestamps (creationTimestamp, deletionTimestamp) and
 * free-form fields (managedFields) are the server's to set or kubelab's to pass through, so they
 * are skipped rather than decoded.
 */
function wireTypeOf(type: FieldType): Omit<FieldSpec, 'name'> {
  switch (type.type) {
    case 'string':
      return { type: type.format === 'byte' ? 'bytes' : 'string' };
    case 'boolean':
      return { type: 'bool' };
    case 'integer':
      return { type: 'int' };
    case 'map':
      if (type.values.type === 'string') return { type: type.values.format === 'byte' ? 'bytesMap' : 'stringMap' };
      return { type: 'skip' };
    case 'list': {
      const item = wireTypeOf(type.items);
      return item.type === 'skip' ? item : { ...item, repeated: true };
    }
    case 'object':
      return { type: messageSchemaOf(type.of) };
    default:
      return { type: 'skip' };
  }
}

const messageSchemas = new Map<string, MessageSchema>();

/** A Definition's protobuf message: its fields that carry a field number (`proto`) in the schema. */
function messageSchemaOf(def: Definition): MessageSchema {
  let schema = messageSchemas.get(def.name);
  if (schema) return schema;
  schema = {};
  messageSchemas.set(def.name, schema);
  for (const [name, field] of Object.entries(def.fields)) {
    if (field.proto !== undefined) schema[field.proto] = { name, ...wireTypeOf(field) };
  }
  return schema;
}

/**
 * The kinds whose every field has its field number in lib/api/schemas (apiVersion and kind
 * travel in the envelope), keyed `v1/Secret`. Field numbers are those of k8s.io/api's
 * generated.proto (v0.32); issue 13 fills them for every kind.
 */
export const OBJECT_SCHEMAS: Record<string, MessageSchema> = Object.fromEntries(
  [...Object.values(KIND_SCHEMAS), ...CONVERTED_VERSION_SCHEMAS]
    .filter((kind) => Object.entries(kind.definition.fields).every(([name, field]) => name === 'apiVersion' || name === 'kind' || field.proto !== undefined))
    .map((kind) => [`${kind.group ? `${kind.group}/` : ''}${kind.version}/${kind.kind}`, messageSchemaOf(kind.definition)]),
);

function bytesOf(field: WireField, spec: FieldSpec): Buffer {
  if (field.field.wireType !== 2) throw new ProtobufError(`field "${spec.name}" should be length-delimited`);
  return field.field.value;
}

function varintOf(field: WireField, spec: FieldSpec): bigint {
  if (field.field.wireType !== 0) throw new ProtobufError(`field "${spec.name}" should be a varint`);
  return field.field.value;
}

/** A map entry is a message {1: key, 2: value}. */
function mapEntry(buffer: Buffer): { key: string; value: Buffer } {
  let key = '';
  let value: Buffer = Buffer.alloc(0);
  for (const field of readFields(buffer)) {
    if (field.field.wireType !== 2) continue;
    if (field.fieldNumber === 1) key = field.field.value.toString('utf8');
    if (field.fieldNumber === 2) value = field.field.value;
  }
  return { key, value };
}

function decodeValue(field: WireField, spec: FieldSpec): unknown {
  const type = spec.type;
  if (type === 'string') return bytesOf(field, spec).toString('utf8');
  if (type === 'bytes') return bytesOf(field, spec).toString('base64');
  if (type === 'bool') return varintOf(field, spec) !== 0n;
  if (type === 'int') return Number(BigInt.asIntN(64, varintOf(field, spec)));
  if (typeof type === 'object') return decodeMessage(bytesOf(field, spec), type);
  throw new ProtobufError(`field "${spec.name}" has no scalar decoding`);
}

/**
 * Decodes one message by its schema. Go's protobuf marshaller writes every non-pointer field,
 * even empty ones (`name: ""`, `generation: 0`); those are dropped here so the object reads
 * like the JSON kubectl would have sent (`omitempty`).
 */
export function decodeMessage(buffer: Buffer, schema: MessageSchema): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const field of readFields(buffer)) {
    const spec = schema[field.fieldNumber];
    if (!spec || spec.type === 'skip') continue;
    if (spec.type === 'stringMap' || spec.type === 'bytesMap') {
      const { key, value } = mapEntry(bytesOf(field, spec));
      const map = (object[spec.name] ??= {}) as Record<string, string>;
      map[key] = spec.type === 'stringMap' ? value.toString('utf8') : value.toString('base64');
      continue;
    }
    const value = decodeValue(field, spec);
    if (spec.repeated) ((object[spec.name] ??= []) as unknown[]).push(value);
    else object[spec.name] = value;
  }
  for (const [name, value] of Object.entries(object)) {
    if (value === '' || value === 0 || value === false) delete object[name];
  }
  return object;
}

/** The JSON object carried by a Kubernetes protobuf request body. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ApiError(400, 'BadRequest', 'the protobuf request body does not start with the Kubernetes magic bytes "k8s\\0"');
  }
  try {
    const envelope = decodeMessage(body.subarray(MAGIC.length), {
      1: { name: 'typeMeta', type: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } } },
      2: { name: 'raw', type: 'bytes' },
    });
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
