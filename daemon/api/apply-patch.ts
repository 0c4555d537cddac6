// The three PATCH formats the API server accepts, behind one function.
//
// - merge (RFC 7386, `application/merge-patch+json`): maps merge, null deletes, lists replace.
//   kubectl label/annotate/scale send it.
// - json (RFC 6902, `application/json-patch+json`): a list of operations on paths.
//   `kubectl rollout undo` sends it.
// - strategic (`application/strategic-merge-patch+json`): merge, but lists of named things
//   (containers, env, ports) merge by key, with `$patch` directives. `kubectl apply` sends it.
// The algorithms live in lib/api/patch.ts; this module only maps a failure to a 400 the user reads.

import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../lib/api/patch.js';
import type { KubeObject } from '../../lib/api/types.js';
import type { PatchType } from '../../lib/client/api-client.js';
import { ApiError, badRequest, errorMessage } from '../../lib/errors.js';

export function applyPatch(resource: string, target: KubeObject, patch: unknown, type: PatchType): KubeObject {
  try {
    switch (type) {
      case 'merge':
        return applyMergePatch(target, patch) as KubeObject;
      case 'json':
        return applyJsonPatch(target, patch) as KubeObject;
      case 'strategic':
        return applyStrategicMergePatch(target, patch, resource) as KubeObject;
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw badRequest(`the ${type} patch could not be applied: ${errorMessage(err)}`);
  }
  throw badRequest(`unsupported patch type "${String(type)}"`);
}
