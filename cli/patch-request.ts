// The pure half of `kubelab patch`: which patch type the user asked for, and the patch body read
// from -p (JSON or YAML, as kubectl accepts both) in the shape that type needs. The three types
// are the server's three PATCH content types:
//   strategic  application/strategic-merge-patch+json  lists of named things (containers, ports)
//              merge by their key, so `{"spec":{"template":{"spec":{"containers":[{"name":"web",
//              "image":"v2"}]}}}}` changes one container's image and keeps the others (default)
//   merge      application/merge-patch+json (RFC 7386)  maps merge, null deletes, lists replace
//   json       application/json-patch+json (RFC 6902)   a list of operations: add, remove,
//              replace, move, copy, test at JSON pointers
// Whether anything changed is decided as kubectl decides it: the object the server returns is
// compared with the one read before the patch.

import { parse as parseYaml } from 'yaml';
import type { PatchType } from '../lib/client/api-client.js';
import { deepEqual } from './apply-patch.js';
import { CliError } from './cli-errors.js';

const PATCH_TYPES: PatchType[] = ['json', 'merge', 'strategic'];

export function parsePatchType(value: string | undefined): PatchType {
  const type = value ?? 'strategic';
  if (!(PATCH_TYPES as string[]).includes(type)) throw new CliError(`--type must be one of [json merge strategic], not "${type}"`);
  return type as PatchType;
}

/** The patch body from the text of -p or --patch-file, checked against its type. */
export function parsePatchBody(text: string, type: PatchType): unknown {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    try {
      body = parseYaml(text);
    } catch (err) {
      throw new CliError(`unable to parse "${text}": ${(err as Error).message}`, { cause: err });
    }
  }
  if (type === 'json') {
    if (!Array.isArray(body)) throw new CliError(`unable to parse "${text}": json: cannot unmarshal object into Go value of type jsonpatch.Patch`);
  } else if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CliError(`unable to parse "${text}": a ${type} patch is a JSON object`);
  }
  return body;
}

/** kubectl's verdict: `patched`, or `patched (no change)` when the server's answer equals what was read. */
export function patchOutcome(before: unknown, after: unknown): 'patched' | 'patched (no change)' {
  return deepEqual(before, after) ? 'patched (no change)' : 'patched';
}
