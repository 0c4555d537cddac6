// What `kubectl explain RESOURCE[.field.path] [--recursive]` prints, from the server's OpenAPI v3
// document of the resource's group/version (kubectl's explain v2 plaintext template, followed
// step by step so the text is the same):
//
//   GROUP / KIND / VERSION    the kind, found in components.schemas by its
//                             x-kubernetes-group-version-kind
//   FIELD: name <type>        the last field of the path, its type guessed the way kubectl
//                             guesses it: []X for arrays, map[string]X for maps, the referenced
//                             definition's short name for structs, `string` for IntOrString,
//                             Quantity and Time
//   DESCRIPTION               the field's doc, then its type's doc, wrapped at 76 columns
//   FIELDS                    each field with its type, `-required-`, up to 4 enum values and
//                             its doc; with --recursive, the whole tree of names and types
//
// The walk follows `$ref`, `allOf`, array items and map values, and stops at a definition it is
// already inside (a schema may refer to itself).

import { CliError } from '../cli-errors.js';
import { indentLines, wrapWords } from './word-wrap.js';

export interface OpenApiSchema {
  $ref?: string;
  allOf?: OpenApiSchema[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema | boolean;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  description?: string;
  type?: string;
  format?: string;
  default?: unknown;
  enum?: unknown[];
  externalDocs?: { description?: string; url?: string };
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
}

export interface OpenApiDocument {
  components?: { schemas?: Record<string, OpenApiSchema> };
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

type History = ReadonlySet<string>;

function resolveRef(ref: string | undefined, doc: OpenApiDocument): OpenApiSchema | undefined {
  if (!ref) return undefined;
  return doc.components?.schemas?.[ref.split('/').at(-1)!];
}

/** additionalProperties that describe the map's values (not `true`/`false`). */
function mapValues(schema: OpenApiSchema): OpenApiSchema | undefined {
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

/** `string`, `integer`, `Object`, `[]Container`, `map[string]string`, `ObjectMeta`. */
export function typeGuess(schema: OpenApiSchema, doc: OpenApiDocument): string {
  if (schema.items) return `[]${typeGuess(schema.items, doc)}`;
  const values = mapValues(schema);
  if (values) return `map[string]${typeGuess(values, doc)}`;
  if (schema.allOf && !schema.properties && schema.allOf.length === 1) return typeGuess(schema.allOf[0]!, doc);
  if (schema.$ref) {
    const target = resolveRef(schema.$ref, doc);
    if (!target || !target.type || target.type === 'object') return schema.$ref.split('/').at(-1)!.split('.').at(-1) || 'Object';
    return target.type;
  }
  return schema.type === 'object' || !schema.type ? 'Object' : schema.type;
}

function enumValue(value: unknown): string {
  return value === '' ? '""' : String(value);
}

/** The enum of a field: `\n  enum: A, B, C, D, ....` in a list, `ENUM:\n    A\n    B` for the field asked about. */
function extractEnum(schema: OpenApiSchema, longView: boolean, limit: number, indentAmount = 0): string {
  if (!schema.enum || schema.enum.length === 0) return '';
  let out = longView ? 'ENUM:' : `\n${' '.repeat(indentAmount)}enum: `;
  for (const [index, value] of schema.enum.entries()) {
    if (limit > -1 && index >= limit) {
      out += ', ....';
      break;
    }
    if (longView) out += '\n    ';
    else if (index > 0) out += ', ';
    out += enumValue(value);
  }
  return out;
}

/** The schema's doc, then the docs of what it refers to, each ending in a newline. */
function description(schema: OpenApiSchema, doc: OpenApiDocument): string {
  const resolved = resolveRef(schema.$ref, doc) ?? schema;
  let out = resolved.description ? resolved.description + '\n' : '';
  for (const part of resolved.allOf ?? []) out += description(part, doc);
  if (resolved.items) out += description(resolved.items, doc);
  const values = mapValues(resolved);
  if (values) out += description(values, doc);
  return out;
}

function externalDocs(schema: OpenApiSchema, indentAmount: number): string {
  const docs = schema.externalDocs;
  if (!docs) return '';
  let out = indentLines('EXTERNAL DOCS:', indentAmount) + '\n';
  if (docs.description) out += indentLines(wrapWords(docs.description, 76 - indentAmount), indentAmount + 4) + '\n';
  if (docs.url) out += indentLines(`URL: ${docs.url}`, indentAmount + 4) + '\n';
  return out;
}

/** One field of `parent`: its name, type, required mark, enum; then (not short) its doc. */
function fieldDetail(name: string, parent: OpenApiSchema, short: boolean, level: number, doc: OpenApiDocument): string {
  const indentAmount = level * 2;
  const field = parent.properties![name]!;
  let out = `${indentLines(name, indentAmount)}\t<${typeGuess(field, doc)}>`;
  if (parent.required?.includes(name)) out += ' -required-';
  out += extractEnum(field, false, 4, indentAmount) + '\n';
  if (!short) {
    out += indentLines(wrapWords(field.description || '<no description>', 78 - indentAmount), indentAmount + 2) + '\n';
    if (field.externalDocs) out += '\n' + externalDocs(field, indentAmount + 2);
    out += '\n';
  }
  return out;
}

function fieldList(schema: OpenApiSchema, level: number, history: History, recursive: boolean, doc: OpenApiDocument): string {
  const ref = schema.$ref ?? '';
  if (ref && history.has(ref)) return ''; // a definition we are already inside: stop the cycle
  const next = new Set(history).add(ref);
  const resolved = resolveRef(ref, doc) ?? schema;
  let out = '';
  for (const name of Object.keys(resolved.properties ?? {}).sort()) {
    out += fieldDetail(name, resolved, recursive, level, doc);
    if (recursive) out += fieldList(resolved.properties![name]!, level + 1, next, recursive, doc);
  }
  for (const part of resolved.allOf ?? []) out += fieldList(part, level, next, recursive, doc);
  if (resolved.items) out += fieldList(resolved.items, level, next, recursive, doc);
  const values = mapValues(resolved);
  if (values) out += fieldList(values, level, next, recursive, doc);
  return out;
}

/** Follows `path` from `schema`; '' when the path leads nowhere. */
function output(schema: OpenApiSchema, path: readonly string[], history: History, recursive: boolean, doc: OpenApiDocument): string {
  const ref = schema.$ref ?? '';
  const next = new Set(history).add(ref);
  const resolved = resolveRef(ref, doc) ?? schema;
  if (path.length === 0) {
    let out = 'DESCRIPTION:\n' + indentLines(wrapWords(description(resolved, doc) || '<empty>', 76), 4) + '\n';
    const docs = externalDocs(resolved, 0);
    if (docs) out += '\n' + docs;
    const fields = fieldList(resolved, 1, new Set(), recursive, doc);
    if (fields) out += 'FIELDS:\n' + fields;
    return out;
  }
  if (ref && history.has(ref)) return '';
  const field = resolved.properties?.[path[0]!];
  if (field) {
    let out = '';
    if (path.length === 1) out += `FIELD: ${path[0]} <${typeGuess(field, doc)}>\n${extractEnum(field, true, -1)}\n\n`;
    return out + output(field, path.slice(1), new Set(), recursive, doc);
  }
  if (resolved.items) return output(resolved.items, path, next, recursive, doc);
  const values = mapValues(resolved);
  if (values) return output(values, path, next, recursive, doc);
  for (const part of resolved.allOf ?? []) {
    const out = output(part, path, next, recursive, doc);
    if (out) return out;
  }
  return '';
}

/** The lines naming the kind, printed first (also when the field path then turns out wrong). */
export function explainHeader(gvk: GroupVersionKind): string {
  return `${gvk.group ? `GROUP:      ${gvk.group}\n` : ''}KIND:       ${gvk.kind}\nVERSION:    ${gvk.version}\n\n`;
}

/** What follows the header, for the kind `gvk` in `doc` and the field path below it; throws kubectl's error for a wrong path. */
export function explainBody(doc: OpenApiDocument, gvk: GroupVersionKind, fieldPath: readonly string[], recursive: boolean): string {
  const kindSchema = Object.values(doc.components?.schemas ?? {}).find((s) =>
    (s['x-kubernetes-group-version-kind'] ?? []).some((k) => k.group === gvk.group && k.version === gvk.version && k.kind === gvk.kind),
  );
  const groupVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
  if (!kindSchema) throw new CliError(`GVK ${groupVersion}, Kind=${gvk.kind} not found in OpenAPI schema`);
  const body = output(kindSchema, fieldPath, new Set(), recursive, doc);
  if (!body) throw new CliError(`field "${fieldPath.at(-1)}" does not exist`);
  return body + '\n';
}

/** The whole text of `kubectl explain`. */
export function explainText(doc: OpenApiDocument, gvk: GroupVersionKind, fieldPath: readonly string[], recursive: boolean): string {
  return explainHeader(gvk) + explainBody(doc, gvk, fieldPath, recursive);
}
