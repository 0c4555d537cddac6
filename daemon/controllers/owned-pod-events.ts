// How a pod's event reaches the controllers that own pods (ReplicaSet, ReplicationController,
// DaemonSet, StatefulSet), as Kubernetes' controllers map pod events to their keys:
// - a pod with a ControllerRef concerns that owner only, if it is of this kind and the same
//   object (uid): a recreated namesake is not the owner;
// - an orphan concerns every owner in its namespace whose selector matches it (one may adopt it);
// - a relabelled pod, or one whose ControllerRef changed, concerns its old owners too (to release
//   it) as well as the new ones;
// - a pod that just became ready is available minReadySeconds later: its owner looks again then
//   (plus a second, so the pod is past the boundary).

import type { Pod, KubeObject } from '../../lib/api/types.js';
import type { InformerEventHandlers, Informer } from '../../lib/client/informer.js';
import { objectKey } from '../../lib/client/object-key.js';
import { controllerOf } from './controller-ref.js';
import { isPodReady } from './pod-state.js';

export interface OwnedPodEventsOptions<T extends KubeObject> {
  /** The owners' kind, as in a ControllerRef: `ReplicaSet`, `DaemonSet`... */
  kind: string;
  owners: Informer<T>;
  /** Whether `owner`'s selector selects `pod` (labels only; the namespace is checked here). */
  selects: (owner: T, pod: Pod) => boolean;
  minReadySecondsOf: (owner: T) => number | undefined;
  queue: { add(key: string): void; addAfter(key: string, delayMs: number): void };
}

/** The pod informer's handlers for a controller of owned pods. */
export function ownedPodEventHandlers<T extends KubeObject>(options: OwnedPodEventsOptions<T>): InformerEventHandlers<Pod> {
  const { kind, owners, selects, minReadySecondsOf, queue } = options;
  const ownerOf = (pod: Pod): T | undefined => {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== kind) return undefined;
    const owner = owners.get(`${pod.metadata.namespace}/${ref.name}`);
    return owner && owner.metadata.uid === ref.uid ? owner : undefined;
  };
  const onPodChange = (pod: Pod): void => {
    if (controllerOf(pod)) {
      const owner = ownerOf(pod);
      if (owner) queue.add(objectKey(owner));
      return;
    }
    for (const owner of owners.list()) {
      if (owner.metadata.namespace === pod.metadata.namespace && selects(owner, pod)) queue.add(objectKey(owner));
    }
  };
  return {
    onAdd: onPodChange,
    onUpdate: (old, pod) => {
      if (JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels) || controllerOf(old)?.uid !== controllerOf(pod)?.uid) onPodChange(old);
      onPodChange(pod);
      const owner = ownerOf(pod);
      const minReadySeconds = owner ? (minReadySecondsOf(owner) ?? 0) : 0;
      if (owner && minReadySeconds > 0 && !isPodReady(old) && isPodReady(pod)) queue.addAfter(objectKey(owner), minReadySeconds * 1000 + 1000);
    },
    onDelete: onPodChange,
  };
}
