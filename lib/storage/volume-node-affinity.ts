// A volume's node affinity (PersistentVolume spec.nodeAffinity.required): the nodes that can
// reach it. A local-path or local volume is a directory on one node, so its affinity names that
// node by its kubernetes.io/hostname label; the scheduler puts every pod of the claim there.
// Node selector terms are ORed, the requirements of a term ANDed (Kubernetes' NodeSelector).

import type { Node } from '../api/types.js';
import type { NodeSelector, NodeSelectorRequirement, PersistentVolume } from '../api/storage-types.js';
import { HOSTNAME_LABEL } from './storage-names.js';

export const REASON_VOLUME_NODE_AFFINITY = 'node(s) had volume node affinity conflict';

function requirementHolds(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || !/^-?\d+$/.test(value)) return false;
      const [have, limit] = [Number(value), Number(values[0])];
      return req.operator === 'Gt' ? have > limit : have < limit;
    }
    default:
      return false;
  }
}

/** Whether `node` satisfies the selector; an empty term matches nothing, as in Kubernetes. */
export function nodeMatchesSelector(selector: NodeSelector, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  return (selector.nodeSelectorTerms ?? []).some((term) => {
    const expressions = term.matchExpressions ?? [];
    const fields = term.matchFields ?? [];
    if (expressions.length === 0 && fields.length === 0) return false;
    return expressions.every((req) => requirementHolds(req, labels[req.key])) && fields.every((req) => requirementHolds(req, req.key === 'metadata.name' ? node.metadata.name : undefined));
  });
}

/** Whether pods on `node` can use the volume (no affinity: every node). */
export function volumeFitsNode(volume: PersistentVolume, node: Node): boolean {
  const required = volume.spec?.nodeAffinity?.required;
  return !required || nodeMatchesSelector(required, node);
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
