// Server-side field validation: what happens to fields the API does not know.
//
// kubectl sends `?fieldValidation=Strict` by default, so a typo like `spec.contianers` is an error
// (400, with the real server's wording) instead of a silently ignored field and a pod that runs
// without the containers the user meant. `Warn` accepts the object and sends a warning back;
// `Ignore` (in-process callers, `kubectl --validate=false`) drops the unknown fields silently.

import { findUnknownFields } from '../../lib/api/schemas/known-fields.js';
import type { KubeObject } from '../../lib/api/types.js';
import type { ResourceInfo } from '../../lib/api/resources.js';
import { badRequest } from '../../lib/errors.js';
import type { RequestContext } from './registry.js';

/** Applies ctx.fieldValidation to `obj` (in place for Ignore); throws 400 in Strict mode. */
export function enforceFieldValidation(resource: string, info: ResourceInfo, obj: KubeObject, ctx: RequestContext): void {
  const unknown = findUnknownFields(resource, obj);
  if (unknown.length === 0) return;
  switch (ctx.fieldValidation) {
    case 'Strict':
      throw badRequest(
        `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: strict decoding error: ` +
          unknown.map((path) => `unknown field "${path}"`).join(', '),
      );
    case 'Warn':
      for (const path of unknown) {
        const warning = `unknown field "${path}"`;
        if (!ctx.warnings.includes(warning)) ctx.warnings.push(warning);
      }
      return;
    case 'Ignore':
      for (const path of unknown) deleteFieldPath(obj, path);
      return;
  }
}

/**
 * Removes the field at `spec.containers[0].foo` from obj; a path that does not resolve is a no-op.
 * An empty key is a step too: `metadata.` is the key "" inside metadata, never metadata itself.
 */
export function deleteFieldPath(obj: unknown, path: string): void {
  const steps = path.split('.').flatMap((segment) => {
    const [key, ...indices] = segment.split('[');
    return [key, ...indices.map((index) => Number(index.replace(']', '')))];
  });
  let current: unknown = obj;
  for (const step of steps.slice(0, -1)) {
    if (current === null || typeof current !== 'object') return;
    current = (current as Record<string | number, unknown>)[step];
  }
  const last = steps.at(-1);
  if (last !== undefined && current !== null && typeof current === 'object' && !Array.isArray(current)) {
    delete (current as Record<string | number, unknown>)[last];
  }
}
