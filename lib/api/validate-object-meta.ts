// Validation of what every object has (metadata: name, namespace, labels, annotations) and the
// small checks the kind-specific validators share (ports, non-negative numbers, sizes).
//
// Validators return a list of FieldErrors instead of throwing on the first problem: the 422
// answer lists them all, as the real API server does, so a user fixes a manifest in one go.

import { fieldDuplicate, fieldInvalid, fieldRequired, fieldTooLong, type FieldError } from '../errors.js';
import { checkDns1123Label, checkLabelValue, checkQualifiedName, maskTrailingDash } from './name-rules.js';

export type Obj = Record<string, unknown>;
export type NameCheck = (name: string) => string[];

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
export const objectsIn = (v: unknown): Obj[] => (Array.isArray(v) ? v.map((x) => (isObj(x) ? x : {})) : []);
export const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);

/** `Required value: <detail>`, for the requirements that need explaining. */
export const requiredWith = (field: string, detail: string): FieldError => ({ field, type: 'FieldValueRequired', message: `Required value: ${detail}` });

/** One FieldError carrying every message of a name check, joined as Kubernetes joins them. */
export function checkName(field: string, value: string, check: NameCheck): FieldError[] {
  const problems = check(value);
  return problems.length ? [fieldInvalid(field, value, problems.join('; '))] : [];
}

const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/**
 * `metadata.name` (or generateName), `metadata.namespace` for namespaced kinds, labels and
 * annotations. `nameCheck` is the kind's naming rule (subdomain for most, label for namespaces).
 */
export function validateObjectMeta(metadata: unknown, nameCheck: NameCheck, path = 'metadata', requireName = true): FieldError[] {
  if (!isObj(metadata)) return [fieldRequired(path)];
  const errors: FieldError[] = [];
  const { name, generateName, namespace } = metadata;
  if (typeof name === 'string' && name !== '') {
    errors.push(...checkName(`${path}.name`, name, nameCheck));
  } else if (typeof generateName === 'string' && generateName !== '') {
    // A generated name is the prefix (cut to 58 characters) plus 5 random ones; the prefix may end in '-'.
    errors.push(...checkName(`${path}.generateName`, generateName, (v) => nameCheck(maskTrailingDash(v))));
  } else if (requireName) {
    errors.push({ field: `${path}.name`, type: 'FieldValueRequired', message: 'Required value: name or generateName is required' });
  }
  if (typeof namespace === 'string' && namespace !== '') errors.push(...checkName(`${path}.namespace`, namespace, checkDns1123Label));
  errors.push(...validateLabels(metadata.labels, `${path}.labels`));
  errors.push(...validateAnnotations(metadata.annotations, `${path}.annotations`));
  return errors;
}

/** Label keys are qualified names (`example.com/role`), values short tokens; both may be empty only where Kubernetes allows. */
export function validateLabels(labels: unknown, path: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (!isObj(labels)) return [fieldInvalid(path, labels, 'must be a map of string keys to string values')];
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    errors.push(...checkName(path, key, checkQualifiedName));
    if (typeof value !== 'string') errors.push(fieldInvalid(path, value, 'label values must be strings'));
    else errors.push(...checkName(path, value, checkLabelValue));
  }
  return errors;
}

/** Annotation keys are qualified names (case-insensitively); values are free text, 256 KiB in total. */
export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isObj(annotations)) return [fieldInvalid(path, annotations, 'must be a map of string keys to string values')];
  const errors: FieldError[] = [];
  let bytes = 0;
  for (const [key, value] of Object.entries(annotations)) {
    const problems = checkQualifiedName(key.toLowerCase());
    if (problems.length) errors.push(fieldInvalid(path, key, problems.join('; ')));
    if (typeof value !== 'string') errors.push(fieldInvalid(`${path}[${key}]`, value, 'annotation values must be strings'));
    bytes += Buffer.byteLength(key) + Buffer.byteLength(String(value));
  }
  if (bytes > MAX_ANNOTATIONS_BYTES) errors.push(fieldTooLong(path, MAX_ANNOTATIONS_BYTES));
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Shared small checks

export const PORT_RANGE_MESSAGE = 'must be between 1 and 65535, inclusive';

export function isValidPortNumber(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;
}

/** A port number that must be present: 0 or absent is `Required value`, out of range is invalid. */
export function checkRequiredPort(field: string, value: unknown): FieldError[] {
  if (value === undefined || value === null || value === 0) return [fieldRequired(field)];
  return isValidPortNumber(value) ? [] : [fieldInvalid(field, value, PORT_RANGE_MESSAGE)];
}

/** An optional port number (hostPort, nodePort): 0 or absent means "none". */
export function checkOptionalPort(field: string, value: unknown): FieldError[] {
  if (value === undefined || value === null || value === 0) return [];
  return isValidPortNumber(value) ? [] : [fieldInvalid(field, value, PORT_RANGE_MESSAGE)];
}

/** Absent, or an integer >= 0. */
export function checkNonNegative(field: string, value: unknown): FieldError[] {
  if (value === undefined || value === null) return [];
  if (!Number.isInteger(value)) return [fieldInvalid(field, value, 'must be an integer')];
  return (value as number) < 0 ? [fieldInvalid(field, value, 'must be greater than or equal to 0')] : [];
}

/** Absent, or an integer > 0. */
export function checkPositive(field: string, value: unknown): FieldError[] {
  if (value === undefined || value === null) return [];
  if (!Number.isInteger(value)) return [fieldInvalid(field, value, 'must be an integer')];
  return (value as number) <= 0 ? [fieldInvalid(field, value, 'must be greater than 0')] : [];
}

/** Flags the second and later occurrences of the same value: `spec.containers[1].name: Duplicate value: "web"`. */
export function checkUnique(values: { field: string; value: unknown }[]): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const { field, value } of values) {
    if (value === undefined || value === null || value === '') continue;
    const key = JSON.stringify(value);
    if (seen.has(key)) errors.push(fieldDuplicate(field, value));
    seen.add(key);
  }
  return errors;
}

