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

import type { Deployment, ReplicaSet } from '../../lib/api/types.js';
import { activeReplicaSets, bySizeNewer, bySizeOlder, replicaCount, specReplicas } from './replica-set-lists.js';
import { MAX_REPLICAS_ANNOTATION } from './revision.js';
import { desiredReplicas, maxSurge, type ScaleStep } from './rolling-plan.js';

export function planProportionalScale(d: Deployment, allRSs: ReplicaSet[]): { steps: ScaleStep[]; operation: 'up' | 'down' | '' } {
  const active = activeReplicaSets(allRSs);
  const current = replicaCount(active);
  const allowed = desiredReplicas(d) > 0 ? desiredReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowed - current;
  if (toAdd === 0) return { steps: active.map((rs) => ({ rs, replicas: specReplicas(rs) })), operation: '' };

  const ordered = [...active].sort(toAdd > 0 ? bySizeNewer : bySizeOlder);
  let added = 0;
  const sizes = ordered.map((rs) => {
    const proportion = proportionOf(rs, d, toAdd, added);
    added += proportion;
    return specReplicas(rs) + proportion;
  });
  // Whatever rounding left over goes to the first (largest) ReplicaSet.
  sizes[0] = Math.max(0, sizes[0] + toAdd - added);
  return { steps: ordered.map((rs, i) => ({ rs, replicas: sizes[i] })), operation: toAdd > 0 ? 'up' : 'down' };
}

function proportionOf(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === added) return 0;
  const fraction = fractionOf(rs, d);
  const allowed = toAdd - added;
  // Never hand out more than is left to add (or remove).
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function fractionOf(rs: ReplicaSet, d: Deployment): number {
  if (desiredReplicas(d) === 0) return -specReplicas(rs);
  const newMax = desiredReplicas(d) + maxSurge(d);
  let oldMax = Number.parseInt(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] ?? '', 10);
  if (!Number.isFinite(oldMax) || oldMax === 0) {
    // Someone edited the annotation away: fall back to the Deployment's last observed size.
    oldMax = d.status?.replicas ?? 0;
    if (oldMax === 0) return 0;
  }
  return roundHalfAwayFromZero((specReplicas(rs) * newMax) / oldMax) - specReplicas(rs);
}

/** Go's math.Round: 2.5 → 3, -2.5 → -3 (JavaScript's Math.round gives -2). */
function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}
