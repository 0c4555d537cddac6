// `-f FILE|DIR|-` for create, apply and delete: which texts to read, then every object in them,
// checked as a whole before anything is sent, so a bad file leaves nothing half-written.
//
// A directory means every .yaml, .yml and .json file directly in it, in name order (kubectl
// without -R); `-` means standard input. Parsing (YAML/JSON, several documents, Lists) is
// lib/api/manifest.ts's job; here we add what the CLI knows: the namespace to use and whether
// kubelab serves each object's kind at all.

import fs from 'node:fs/promises';
import path from 'node:path';
import { parseManifests } from '../lib/api/manifest.js';
import { resourceForKind, type ResourceInfo } from '../lib/api/resources.js';
import type { KubeObject } from '../lib/api/types.js';
import { CliError } from './cli-errors.js';

export interface ManifestText {
  /** The path as the user gave it (or joined under a directory), or `STDIN`. */
  source: string;
  text: string;
}

export interface ManifestObject {
  source: string;
  object: KubeObject;
  info: ResourceInfo;
}

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** Expands the -f arguments into the files to read, in order (a directory's files sorted by name). */
export async function expandManifestPaths(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      files.push('-');
      continue;
    }
    const stat = await fs.stat(p).catch(() => undefined);
    if (!stat) throw new CliError(`the path "${p}" does not exist`);
    if (!stat.isDirectory()) {
      files.push(p);
      continue;
    }
    const entries = await fs.readdir(p, { withFileTypes: true });
    const inDir = entries
      .filter((e) => e.isFile() && MANIFEST_EXTENSIONS.includes(path.extname(e.name).toLowerCase()))
      .map((e) => path.join(p, e.name))
      .sort();
    if (inDir.length === 0) throw new CliError(`no objects passed: ${p} has no .yaml, .yml or .json file`);
    files.push(...inDir);
  }
  return files;
}

export async function readManifestTexts(paths: string[], readStdin: () => Promise<string> = readAllStdin): Promise<ManifestText[]> {
  if (paths.length === 0) throw new CliError('must specify one of -f and -k');
  const texts: ManifestText[] = [];
  for (const file of await expandManifestPaths(paths)) {
    if (file === '-') texts.push({ source: 'STDIN', text: await readStdin() });
    else texts.push({ source: file, text: await fs.readFile(file, 'utf8') });
  }
  return texts;
}

/**
 * Every object of every source, with its resource and namespace settled. Throws on the first
 * problem (parse error, unknown kind, namespace mismatch) before the caller sends anything.
 */
export function resolveManifestObjects(texts: ManifestText[], namespace: string, namespaceFromFlag: boolean): ManifestObject[] {
  const objects: ManifestObject[] = [];
  for (const { source, text } of texts) {
    for (const object of parseSource(text, source)) {
      const info = resourceForKind(object.apiVersion, object.kind);
      if (!info) throw new CliError(`${source}: kind "${object.kind}" (apiVersion "${object.apiVersion}") is not served by kubelab`);
      object.metadata ??= {};
      if (info.namespaced) {
        const own = object.metadata.namespace;
        if (own && namespaceFromFlag && own !== namespace) {
          throw new CliError(
            `${source}: the namespace from the provided object "${own}" does not match the namespace "${namespace}". You must pass '--namespace=${own}' to perform this operation.`,
          );
        }
        object.metadata.namespace = own || namespace;
      }
      objects.push({ source, object, info });
    }
  }
  if (objects.length === 0) throw new CliError(`no objects passed to ${texts.map((t) => t.source).join(', ')}`);
  return objects;
}

/** The parser's error, made sure to name the file (every message should say where). */
function parseSource(text: string, source: string): KubeObject[] {
  try {
    return parseManifests(text, source);
  } catch (err) {
    if (err instanceof Error && !err.message.includes(source)) throw new CliError(`${source}: ${err.message}`, { cause: err });
    throw err;
  }
}

export async function loadManifestObjects(paths: string[], namespace: string, namespaceFromFlag: boolean): Promise<ManifestObject[]> {
  return resolveManifestObjects(await readManifestTexts(paths), namespace, namespaceFromFlag);
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
