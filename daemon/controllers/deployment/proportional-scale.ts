// Scaling a Deployment in the middle of a rollout (Kubernetes' DeploymentController.scale and
// deployment/util GetProportion).
//
// When `kubelab scale deploy/web --replicas=20` arrives while an old and a new ReplicaSet both
// have pods, giving all new replicas to the new ReplicaSet would hurry the rollout (and a bad
// template would take more of the service down); giving them to the old one would undo it. So the
// change is shared in proportion to each ReplicaSet's size: each gets
// round(size * newMax / oldMax) - size, where max = replicas + maxSurge now and as it was when
// the ReplicaSet was last scaled (the max-replicas annotation). Rounding leftovers go to the
// largest ReplicaSet (the newest for scale-up, the oldest for scale-down).

import type { Deployment, ReplicaSet } from '../../../lib/api/types.js';
import { activeReplicaSets, bySizeNewer, bySizeOlder, replicaCount, specReplicas } from './replica-set-lists.js';
import { MAX_REPLICAS_ANNOTATION } from './revision.js';
import { desiredReplicas, maxSurge, type ScaleStep } from './rolling-plan.js';

export function planProportionalScale(deployment: Deployment, allRSs: ReplicaSet[]): { steps: ScaleStep[]; operation: 'up' | 'down' | '' } {
  const active = activeReplicaSets(allRSs);
  const current = replicaCount(active);
  const allowed = desiredReplicas(deployment) > 0 ? desiredReplicas(deployment) + maxSurge(deployment) : 0;
  const toAdd = allowed - current;
  if (toAdd === 0) return { steps: active.map((replicaSet) => ({ replicaSet, replicas: specReplicas(replicaSet) })), operation: '' };

  const ordered = [...active].sort(toAdd > 0 ? bySizeNewer : bySizeOlder);
  let added = 0;
  const sizes = ordered.map((replicaSet) => {
    const proportion = proportionOf(replicaSet, deployment, toAdd, added);
    added += proportion;
    return specReplicas(replicaSet) + proportion;
  });
  // Whatever rounding left over goes to the first (largest) ReplicaSet.
  sizes[0] = Math.max(0, sizes[0] + toAdd - added);
  return { steps: ordered.map((replicaSet, i) => ({ replicaSet, replicas: sizes[i] })), operation: toAdd > 0 ? 'up' : 'down' };
}

function proportionOf(replicaSet: ReplicaSet, deployment: Deployment, toAdd: number, added: number): number {
  if (specReplicas(replicaSet) === 0 || toAdd === added) return 0;
  const fraction = fractionOf(replicaSet, deployment);
  const allowed = toAdd - added;
  // Never hand out more than is left to add (or remove).
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function fractionOf(replicaSet: ReplicaSet, deployment: Deployment): number {
  if (desiredReplicas(deployment) === 0) return -specReplicas(replicaSet);
  const newMax = desiredReplicas(deployment) + maxSurge(deployment);
  let oldMax = Number.parseInt(replicaSet.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] ?? '', 10);
  if (!Number.isFinite(oldMax) || oldMax === 0) {
    // Someone edited the annotation away: fall back to the Deployment's last observed size.
    oldMax = deployment.status?.replicas ?? 0;
    if (oldMax === 0) return 0;
  }
  return roundHalfAwayFromZero((specReplicas(replicaSet) * newMax) / oldMax) - specReplicas(replicaSet);
}

/** Go's math.Round: 2.5 → 3, -2.5 → -3 (JavaScript's Math.round gives -2). */
function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}
