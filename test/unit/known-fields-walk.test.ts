// The rule of issue 20, as a test: every field the API accepts is honoured as Kubernetes honours
// it, or refused with a 422 that names it. This walks every served kind's schema
// (lib/api/schemas, KIND_SCHEMAS) and checks each field is one of:
//
//   covered   a behaviour test in test/ names it in a comment line
//             `// covers: KIND path[, path...]` (dotted path from the kind's root, list items
//             without brackets: `// covers: Pod spec.containers.env.valueFrom.fieldRef`);
//   refused   listed in lib/api/schemas/unsupported-fields.ts (the API answers 422 for it, and
//             the walk does not descend into it);
//   by rule   apiVersion and kind (the envelope); metadata and every ObjectMeta (API machinery:
//             names, labels, finalizers, owners, managed by the API server and proven by the API
//             tests); a kind's top-level `status` (written by the server and components, not
//             by users); the same fields of a kind embedded as a template in another
//             (a StatefulSet's volumeClaimTemplates are PersistentVolumeClaims): Kubernetes'
//             StatefulSet controller makes each claim from the template's metadata and spec
//             only, and so does kubelab's (newClaim in daemon/controllers/statefulset), so an
//             embedded object's apiVersion, kind and status are ignored as Kubernetes ignores them;
//   records   Event (every field is a record a component wrote, stored and shown back by
//             `get/describe events`; nothing acts on it) and ObjectReference (a pointer kept as
//             written and shown back): RECORDS below;
//   hints     fields Kubernetes itself only stores for others to read (appProtocol), and
//             deprecated fields it ignores (NodeSpec.configSource, externalID): HINTS below.
// (While the session's branches were apart, a temporary PENDING_BY_BRANCH list let fields another
// branch owned wait for its merge; every branch has merged, so it is gone: a field is proven,
// refused, or by rule, with no fourth way.)
//
// A field whose type is a struct is handled when all of that struct's fields are.
// Coverage is per struct field: a covers line marks every field along its path, and a field of
// a shared struct (PodSpec, Container, LabelSelector) is the same code wherever it appears, so
// `Pod spec.containers.image` covers the image of a Deployment's template too.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KIND_SCHEMAS } from '../../lib/api/schemas/index.js';
import { ObjectMeta } from '../../lib/api/schemas/meta.js';
import type { Definition, FieldType } from '../../lib/api/schemas/schema.js';
import { unsupportedField } from '../../lib/api/schemas/unsupported-fields.js';

const TEST_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Kinds and structs whose fields are records, by rule (see the top of this file). */
const RECORD_KINDS = new Set(['Event']);
const RECORD_STRUCTS = new Set(['ObjectReference']);
/** Struct fields Kubernetes itself stores without acting on them. */
const HINTS = new Set(['ServicePort.appProtocol', 'EndpointPort.appProtocol', 'NodeSpec.configSource', 'NodeSpec.externalID']);

const shortName = (definition: Definition) => definition.name.split('.').pop()!;
const fieldKey = (definition: Definition, field: string) => `${shortName(definition)}.${field}`;

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'fixtures' ? [] : testFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(entry) ? [path] : [];
  });
}

interface CoversLine {
  file: string;
  kind: string;
  path: string;
}

/** Every `// covers: KIND path, path` line under test/. */
export function coversLines(root = TEST_ROOT): CoversLine[] {
  const lines: CoversLine[] = [];
  for (const file of testFiles(root)) {
    for (const match of readFileSync(file, 'utf8').matchAll(/^\s*\/\/\s*covers:\s*(\S+)\s+(.+)$/gm)) {
      for (const path of match[2].split(',').map((p) => p.trim()).filter(Boolean)) lines.push({ file: file.slice(root.length), kind: match[1], path });
    }
  }
  return lines;
}

const kindsByName = new Map(Object.values(KIND_SCHEMAS).map((k) => [k.kind, k]));
/** The root definitions of the served kinds: their envelope and status are by rule, at the root or embedded as a template. */
const kindDefinitions = new Set(Object.values(KIND_SCHEMAS).map((k) => k.definition.name));

const objectOf = (type: FieldType): Definition | undefined => {
  if (type.type === 'object') return type.of;
  if (type.type === 'list' || type.type === 'map') return objectOf(type.type === 'list' ? type.items : type.values);
  return undefined;
};

/** The struct fields a covers path names, root first; throws on a path the schema does not have. */
export function resolveCoversPath(kind: string, path: string): string[] {
  const schema = kindsByName.get(kind);
  if (!schema) throw new Error(`no served kind is named ${kind}`);
  let current: Definition | undefined = schema.definition;
  const keys: string[] = [];
  for (const segment of path.split('.')) {
    if (!current || !Object.prototype.hasOwnProperty.call(current.fields, segment)) throw new Error(`${kind} has no field ${path} (at "${segment}")`);
    keys.push(fieldKey(current, segment));
    current = objectOf(current.fields[segment]);
  }
  return keys;
}

interface Unhandled {
  key: string;
  example: string;
}

/** Every struct field reachable from the served kinds that is neither covered, refused, nor by rule. */
function unhandledFields(covered: Set<string>): Unhandled[] {
  const unhandled = new Map<string, string>();
  const visited = new Set<string>();
  const visit = (definition: Definition, path: string, kindName: string) => {
    if (definition === ObjectMeta || definition.name === ObjectMeta.name || RECORD_STRUCTS.has(shortName(definition)) || visited.has(definition.name)) return;
    visited.add(definition.name);
    for (const [field, type] of Object.entries(definition.fields)) {
      const atRoot = path === '';
      if ((atRoot || kindDefinitions.has(definition.name)) && (field === 'apiVersion' || field === 'kind' || field === 'metadata' || field === 'status')) continue;
      if (unsupportedField(definition.name, field)) continue;
      const key = fieldKey(definition, field);
      if (HINTS.has(key)) continue;
      const fieldPath = atRoot ? field : `${path}.${field}`;
      const child = objectOf(type);
      // A struct field whose own fields are all covered, refused or hints needs no line of its own.
      const wholeStruct = child !== undefined && Object.keys(child.fields).every((f) => covered.has(fieldKey(child, f)) || unsupportedField(child.name, f) || HINTS.has(fieldKey(child, f)));
      if (!covered.has(key) && !wholeStruct && !unhandled.has(key)) unhandled.set(key, `${kindName} ${fieldPath}`);
      if (child) visit(child, fieldPath, kindName);
    }
  };
  for (const kind of Object.values(KIND_SCHEMAS)) if (!RECORD_KINDS.has(kind.kind)) visit(kind.definition, '', kind.kind);
  return [...unhandled].map(([key, example]) => ({ key, example }));
}

describe('known fields: every accepted field is covered by a behaviour test or refused (issue 20)', () => {
  const lines = coversLines();

  it('every covers line names a served kind and a field its schema has', () => {
    const wrong = lines.flatMap((line) => {
      try {
        resolveCoversPath(line.kind, line.path);
        return [];
      } catch (err) {
        return [`${line.file}: // covers: ${line.kind} ${line.path}: ${(err as Error).message}`];
      }
    });
    assert.deepEqual(wrong, [], `fix these covers lines (KIND, then a dotted path from the kind's root, list items without brackets):\n${wrong.join('\n')}`);
  });

  it('no field is covered by a test and refused by the API at once', () => {
    const both = lines.flatMap((line) => {
      try {
        const keys = resolveCoversPath(line.kind, line.path);
        const last = keys[keys.length - 1];
        const [struct, field] = last.split('.');
        const refused = Object.values(KIND_SCHEMAS).length > 0 && [...allDefinitions()].some((d) => shortName(d) === struct && unsupportedField(d.name, field));
        return refused ? [`${line.file}: ${line.kind} ${line.path}`] : [];
      } catch {
        return [];
      }
    });
    assert.deepEqual(both, [], 'a refused field cannot also be covered: delete its entry in lib/api/schemas/unsupported-fields.ts once it is implemented');
  });

  it('every field of every served kind is covered, refused, or handled by rule', () => {
    const covered = new Set(lines.flatMap((line) => {
      try {
        return resolveCoversPath(line.kind, line.path);
      } catch {
        return [];
      }
    }));
    const unhandled = unhandledFields(covered);
    // KNOWN_FIELDS_LIST=1 prints the list whole (mocha's diff shortens long ones).
    if (process.env.KNOWN_FIELDS_LIST) console.log(unhandled.map((u) => `${u.key}\t${u.example}`).join('\n'));
    assert.deepEqual(
      unhandled.map((u) => `${u.example}   (${u.key})`),
      [],
      `${unhandled.length} field(s) the API accepts are neither proven nor refused. For each one, either\n` +
        '  - write (or find) a behaviour test that shows what Kubernetes does with it and add a line `// covers: KIND path` to that test file, or\n' +
        "  - refuse it: add it to UNSUPPORTED_FIELDS in lib/api/schemas/unsupported-fields.ts (the API then answers 422 'kubelab does not support this field').\n",
    );
  });
});

function allDefinitions(): Set<Definition> {
  const all = new Set<Definition>();
  const visit = (d: Definition) => {
    if (all.has(d)) return;
    all.add(d);
    for (const type of Object.values(d.fields)) {
      const child = objectOf(type);
      if (child) visit(child);
    }
  };
  Object.values(KIND_SCHEMAS).forEach((k) => visit(k.definition));
  return all;
}
