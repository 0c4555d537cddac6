// Reading manifests: the YAML or JSON files users write, turned into API objects.
//
// A file may hold several YAML documents separated by `---`, or a `kind: List` whose items are
// the objects; empty documents (a trailing `---`, comments only) are skipped. Every object must
// say what it is (apiVersion, kind) and what it is called (metadata.name, or generateName to let
// the server pick). Problems are reported with the file, the document number and, for syntax
// errors, the line and column, so the user can go straight to the mistake.
//
// YAML is read as YAML 1.2 (`on`, `yes` stay strings, unlike YAML 1.1), with `<<` merge keys.
// Whether kubelab serves the kind is not checked here: the CLI checks that against resources.ts.

import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './types.js';

/** A manifest that cannot become API objects; the message names the source and the document. */
export class ManifestError extends Error {
  constructor(
    readonly source: string,
    /** 1-based; 0 when the problem is with the text as a whole. */
    readonly documentNumber: number,
    readonly problem: string,
  ) {
    super(documentNumber > 0 ? `${source}: document ${documentNumber}: ${problem}` : `${source}: ${problem}`);
    this.name = 'ManifestError';
  }
}

/** Every object in `text` (YAML or JSON), in file order, with Lists expanded. `source` names the text in errors. */
export function parseManifests(text: string, source: string): KubeObject[] {
  const documents = looksLikeJson(text) ? [parseJson(text, source)] : parseYaml(text, source);
  const objects: KubeObject[] = [];
  documents.forEach((doc, i) => {
    if (doc === null || doc === undefined) return;
    objects.push(...objectsOf(doc, source, i + 1));
  });
  return objects;
}

function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === '{' || first === '[';
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // JSON is also YAML: a flow-style YAML document (`{a: 1}`) lands here too.
    try {
      const docs = parseYaml(text, source);
      if (docs.length === 1) return docs[0];
    } catch {
      // Report the JSON error: the text looked like JSON.
    }
    throw new ManifestError(source, 1, `invalid JSON: ${(err as Error).message}`);
  }
}

function parseYaml(text: string, source: string): unknown[] {
  const documents = parseAllDocuments(text, { merge: true, prettyErrors: true });
  // parseAllDocuments returns an EmptyStream (not an array) for empty input.
  if (!Array.isArray(documents)) return [];
  return documents.map((doc, i) => {
    const error = doc.errors[0];
    if (error) {
      const where = error.linePos ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
      const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new ManifestError(source, i + 1, `invalid YAML${where}: ${message}`);
    }
    return doc.toJS({ maxAliasCount: 100 });
  });
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The objects of one document: itself, or the items of a List. */
function objectsOf(doc: unknown, source: string, documentNumber: number): KubeObject[] {
  if (!isMap(doc)) {
    const got = Array.isArray(doc) ? 'a list' : `${typeof doc} ${JSON.stringify(doc)}`;
    throw new ManifestError(source, documentNumber, `expected an object with apiVersion, kind and metadata, got ${got}`);
  }
  if (typeof doc.kind === 'string' && doc.kind.endsWith('List') && Array.isArray(doc.items)) {
    return doc.items.map((item, i) => checkObject(item, source, documentNumber, `items[${i}]: `));
  }
  return [checkObject(doc, source, documentNumber, '')];
}

function checkObject(obj: unknown, source: string, documentNumber: number, prefix: string): KubeObject {
  const fail = (problem: string): never => {
    throw new ManifestError(source, documentNumber, `${prefix}${problem}`);
  };
  if (!isMap(obj)) return fail('expected an object with apiVersion, kind and metadata');
  if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '') fail('missing "apiVersion"');
  if (typeof obj.kind !== 'string' || obj.kind === '') fail('missing "kind"');
  const metadata = obj.metadata;
  if (!isMap(metadata)) return fail(`${obj.kind}: missing "metadata"`);
  const hasName = typeof metadata.name === 'string' && metadata.name !== '';
  const hasGenerateName = typeof metadata.generateName === 'string' && metadata.generateName !== '';
  if (!hasName && !hasGenerateName) fail(`${obj.kind}: missing "metadata.name" (or "metadata.generateName")`);
  return obj as KubeObject;
}
