// A volume's node affinity (PersistentVolume spec.nodeAffinity.required): the nodes that can
// reach it. A local-path or local volume is a directory on one node, so its affinity names that
// node by its kubernetes.io/hostname label; the scheduler puts every pod of the claim there.
// Node selector terms are ORed, the requirements of a term ANDed: the same matching as the
// scheduler's NodeAffinity (lib/scheduling/node-affinity.ts nodeSelectorMatches).

import type { Node } from '../api/types.js';
import type { NodeSelector, PersistentVolume } from '../api/storage-types.js';
import { nodeSelectorMatches } from '../scheduling/node-affinity.js';
import { HOSTNAME_LABEL } from './storage-names.js';

export const REASON_VOLUME_NODE_AFFINITY = 'node(s) had volume node affinity conflict';

/** Whether pods on `node` can use the volume (no affinity: every node). */
export function volumeFitsNode(volume: PersistentVolume, node: Node): boolean {
  const required = volume.spec?.nodeAffinity?.required;
  return !required || nodeSelectorMatches(required, node);
}

/** The affinity of a volume that lives on exactly one node. */
export function affinityToNode(node: Node): { required: NodeSelector } {
  const hostname = node.metadata.labels?.[HOSTNAME_LABEL] ?? node.metadata.name!;
  return { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [hostname] }] }] } };
}

/** The node name a single-node affinity names, or undefined (used by the node that reclaims its volumes). */
export function hostnameOfAffinity(volume: PersistentVolume): string | undefined {
  const terms = volume.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
  if (terms.length !== 1) return undefined;
  const req = (terms[0].matchExpressions ?? []).find((r) => r.key === HOSTNAME_LABEL && r.operator === 'In' && r.values?.length === 1);
  return req?.values?.[0];
}
