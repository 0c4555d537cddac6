// POST pods/{name}/eviction: the Eviction API (policy/v1), the polite way to remove a pod.
//
// A DELETE removes a pod because someone said so. An eviction asks first whether the pod may go:
// on a real cluster the API server checks the pod's PodDisruptionBudgets and answers 429 Too
// Many Requests when taking this pod down now would leave too few replicas ("Cannot evict pod as
// it would violate the pod's disruption budget"), and `kubectl drain` retries every 5 s.
// kubelab has no PodDisruptionBudgets yet, so every eviction is allowed, and what remains is the
// contract: the pod is deleted gracefully with the Eviction's deleteOptions (grace period,
// preconditions, dryRun), its controller sees it go and creates a replacement, which the
// scheduler places on a node that is not cordoned.
//
// kubectl finds out that the server supports evictions from discovery: `pods/eviction` in
// /api/v1 with group `policy` and version `v1` (lib/api/resources.ts). Without it, kubectl drain
// falls back to plain DELETEs.

import { badRequest } from '../../lib/errors.js';
import type { Registry, RequestContext } from './registry.js';
import { deleteOptions } from './request-options.js';

const EVICTION_API_VERSIONS = ['policy/v1', 'policy/v1beta1'];

/** What an eviction answers: 201 and a Success Status, as kube-apiserver does. */
export interface EvictionStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success';
  code: 201;
}

/**
 * Checks the Eviction body against the URL and deletes the pod gracefully with its deleteOptions.
 * A missing pod is a 404 (`pods "x" not found`), which kubectl drain takes as "already gone".
 */
export async function evictPod(registry: Registry, namespace: string, name: string, body: Record<string, unknown>, ctx: RequestContext): Promise<EvictionStatus> {
  if (body.kind !== undefined && body.kind !== 'Eviction') throw badRequest(`the body of an eviction must be a policy/v1 Eviction, got kind "${String(body.kind)}"`);
  if (body.apiVersion !== undefined && !EVICTION_API_VERSIONS.includes(String(body.apiVersion))) {
    throw badRequest(`unsupported Eviction apiVersion "${String(body.apiVersion)}": use policy/v1`);
  }
  const metadata = (body.metadata ?? {}) as { name?: string; namespace?: string };
  if (metadata.name !== undefined && metadata.name !== name) throw badRequest(`name in URL does not match name in Eviction object: "${name}" vs "${metadata.name}"`);
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
    throw badRequest(`namespace in URL does not match namespace in Eviction object: "${namespace}" vs "${metadata.namespace}"`);
  }
  // The same parsing as a DELETE's body, so `gracePeriodSeconds: -1` is refused the same way.
  const options = deleteOptions(body.deleteOptions ?? {}, {});
  await registry.delete('pods', namespace, name, options, ctx);
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}
