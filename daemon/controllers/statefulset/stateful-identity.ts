// A StatefulSet pod's identity: Kubernetes' stateful_set_utils.go, the pure part.
//
// Every pod of a StatefulSet has an ordinal, and everything else follows from it: its name
// (`web-1`), its host name and DNS subdomain (`web-1.web`, so the headless Service answers
// web-1.web.NS.svc.cluster.local), the labels that let a Service select exactly this pod
// (`statefulset.kubernetes.io/pod-name: web-1`, `apps.kubernetes.io/pod-index: "1"`), and its
// claims: the claim template `data` becomes the claim `data-web-1`, and the pod's volume `data`
// points at it. A pod deleted and made again gets the same name, host name and claims: that is
// the whole promise of a StatefulSet.

import type { ObjectMeta, OwnerReference, PersistentVolumeClaimTemplate, Pod, StatefulSet, Volume } from '../../../lib/api/types.js';
import { controllerRefTo } from '../controller-ref.js';

/** The label with the name of the ControllerRevision a pod was made from (`web-6c9f7d8b5`). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** `web-1` → 1 for the StatefulSet `web`; -1 when the name is not `<set>-<ordinal>`. */
export function ordinalOf(setName: string, podName: string | undefined): number {
  if (!podName?.startsWith(`${setName}-`)) return -1;
  const rest = podName.slice(setName.length + 1);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : -1;
}

export const podNameFor = (set: StatefulSet, ordinal: number): string => `${set.metadata.name}-${ordinal}`;

/** The claim of template `template` for one ordinal: TEMPLATE-SET-ORDINAL (`data-web-0`). */
export const claimNameFor = (set: StatefulSet, template: PersistentVolumeClaimTemplate, ordinal: number): string =>
  `${template.metadata.name}-${set.metadata.name}-${ordinal}`;

/** The ordinals the set should have: [start, start + replicas). */
export function wantedOrdinals(set: StatefulSet): number[] {
  const start = set.spec.ordinals?.start ?? 0;
  return Array.from({ length: set.spec.replicas ?? 1 }, (_, i) => start + i);
}

/**
 * newVersionedStatefulSetPod: the pod for `ordinal` from the template of revision `revisionName`
 * (`template` is that revision's template, which is the set's current one or an older one).
 */
export function newStatefulPod(set: StatefulSet, template: StatefulSet['spec']['template'], revisionName: string, ordinal: number): Pod {
  const name = podNameFor(set, ordinal);
  const spec = structuredClone(template.spec);
  const claimVolumes: Volume[] = (set.spec.volumeClaimTemplates ?? []).map((claim) => ({
    name: claim.metadata.name ?? '',
    persistentVolumeClaim: { claimName: claimNameFor(set, claim, ordinal) },
  }));
  // A claim template replaces a template volume of the same name (updateStorage).
  const claimed = new Set(claimVolumes.map((volume) => volume.name));
  const volumes = [...(spec.volumes ?? []).filter((volume) => !claimed.has(volume.name)), ...claimVolumes];
  if (volumes.length > 0) spec.volumes = volumes;
  spec.hostname = name;
  if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
  const metadata: ObjectMeta = {
    name,
    namespace: set.metadata.namespace,
    labels: {
      ...(template.metadata?.labels ?? {}),
      [CONTROLLER_REVISION_HASH_LABEL]: revisionName,
      [POD_NAME_LABEL]: name,
      [POD_INDEX_LABEL]: String(ordinal),
    },
    ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
    ownerReferences: [controllerRefTo(set, 'apps/v1', 'StatefulSet')],
  };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/** The claim of one template for one ordinal, labelled with the pod template's labels (as Kubernetes does). */
export function newClaim(set: StatefulSet, template: PersistentVolumeClaimTemplate, ordinal: number, ownerReferences: OwnerReference[]): Record<string, unknown> & { metadata: ObjectMeta } {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      ...structuredClone(template.metadata),
      name: claimNameFor(set, template, ordinal),
      namespace: set.metadata.namespace,
      labels: { ...(template.metadata.labels ?? {}), ...(set.spec.selector.matchLabels ?? {}) },
      ...(ownerReferences.length > 0 ? { ownerReferences } : {}),
    },
    spec: structuredClone(template.spec ?? {}),
  };
}
