// `kubelab rollout status|history|undo statefulset/NAME`: kubectl's StatefulSetStatusViewer,
// StatefulSetHistoryViewer and StatefulSetRollbacker.
//
// A StatefulSet keeps its versions in ControllerRevisions exactly as a DaemonSet does (the
// same `data` patch, the same ownership), so history and undo are the DaemonSet's
// (daemon-set-rollout.ts); only the status viewer is its own. It reads status alone: with a
// partition (which apps/v1 defaults to 0) a rollout is done once the pods from the partition up
// are updated; without rollingUpdate it waits until the current revision is the update revision.

import type { StatefulSet } from '../../lib/api/types.js';
import { RolloutFailed, type RolloutStatus } from './deployment-status.js';

export function statefulSetRolloutStatus(sts: StatefulSet): RolloutStatus {
  const strategy = sts.spec.updateStrategy;
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') {
    throw new RolloutFailed('rollout status is only available for RollingUpdate strategy type');
  }
  const st = sts.status;
  const observed = st?.observedGeneration ?? 0;
  if (observed === 0 || (sts.metadata.generation ?? 0) > observed) return { message: 'Waiting for statefulset spec update to be observed...\n', done: false };
  const replicas = sts.spec.replicas;
  const ready = st?.readyReplicas ?? 0;
  if (replicas !== undefined && ready < replicas) return { message: `Waiting for ${replicas - ready} pods to be ready...\n`, done: false };
  const updated = st?.updatedReplicas ?? 0;
  if (strategy?.rollingUpdate) {
    const partition = strategy.rollingUpdate.partition;
    if (replicas !== undefined && partition !== undefined && updated < replicas - partition) {
      return { message: `Waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated...\n`, done: false };
    }
    return { message: `partitioned roll out complete: ${updated} new pods have been updated...\n`, done: true };
  }
  if (st?.updateRevision !== st?.currentRevision) {
    return { message: `waiting for statefulset rolling update to complete ${updated} pods at revision ${st?.updateRevision}...\n`, done: false };
  }
  return { message: `statefulset rolling update complete ${st?.currentReplicas ?? 0} pods at revision ${st?.currentRevision}...\n`, done: true };
}
