// `kubelab apply --server-side` and the dry runs `kubelab diff` compares with: one PATCH of the
// file's object with `application/apply-patch+yaml` (a JSON body is YAML too), as kubectl sends
// it. The server merges, tracks who owns which field and answers conflicts
// (lib/api/managed-fields.ts); the CLI only words a conflict the way kubectl does.

import type { ResourceInfo } from '../lib/api/resources.js';
import type { KubeObject } from '../lib/api/types.js';
import { resourcePath } from '../lib/client/api-paths.js';
import { ApiError } from '../lib/errors.js';
import type { CliContext } from './cli-context.js';
import { CliError } from './cli-errors.js';

export interface ServerSideApplyOptions {
  fieldManager: string;
  force: boolean;
  dryRun?: boolean;
}

export function serverSideApply(ctx: CliContext, info: ResourceInfo, object: KubeObject, options: ServerSideApplyOptions): Promise<KubeObject> {
  return ctx.client.request<KubeObject>('PATCH', resourcePath(info, object.metadata.namespace, object.metadata.name ?? ''), {
    body: JSON.stringify(object),
    contentType: 'application/apply-patch+yaml',
    query: {
      fieldManager: options.fieldManager,
      fieldValidation: 'Strict',
      force: options.force ? 'true' : undefined,
      dryRun: options.dryRun ? 'All' : undefined,
    },
  });
}

/** kubectl's advice after an apply conflict (cmd/apply/apply.go), word for word. */
const CONFLICT_ADVICE = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts`;

/** A 409 naming field managers reads as kubectl prints it: `error: Apply failed with ...` and the advice. */
export function explainApplyConflict(err: unknown): unknown {
  const isFieldConflict = err instanceof ApiError && err.code === 409 && (err.details?.causes ?? []).some((c) => c.reason === 'FieldManagerConflict');
  return isFieldConflict ? new CliError(`${err.message}\n${CONFLICT_ADVICE}`) : err;
}
