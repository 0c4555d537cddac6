// Pods: born Pending, and deleted gracefully.
//
// Graceful deletion is a conversation between the API server and the kubelet. The API server does
// not remove a running pod: it stamps `metadata.deletionTimestamp` (now + grace period) and
// `deletionGracePeriodSeconds`, and answers with the pod as it now is. The kubelet of the pod's node
// sees the stamp, sends SIGTERM, waits up to the grace period, kills what is left, and then deletes
// the pod with gracePeriodSeconds 0, which removes it. A pod no kubelet runs (not yet scheduled,
// or already finished) has nothing to stop and is removed at once.

import type { KubeObject, Pod } from '../../../lib/api/types.js';
import type { DeleteOptions } from '../../../lib/client/api-client.js';
import { rfc3339 } from '../../../lib/time.js';
import type { DeletePlan, Strategy } from './strategy.js';

/** What Kubernetes uses when neither the request nor the pod says otherwise. */
export const DEFAULT_GRACE_PERIOD_SECONDS = 30;

export const podStrategy: Strategy = {
  statusFields: ['status'],

  prepareForCreate(obj: KubeObject): void {
    // The kubelet reports status; whatever a client sends is not true yet.
    obj.status = { phase: 'Pending' };
  },

  planDelete(current: KubeObject, options: DeleteOptions, now: Date): DeletePlan {
    const pod = current as Pod;
    const phase = pod.status?.phase;
    const runsOnANode = Boolean(pod.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed';
    const existing = pod.metadata.deletionTimestamp;
    const graceSeconds = options.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS;
    if (!runsOnANode || graceSeconds <= 0) {
      // Nothing (more) to stop. A finalizer (a Job's batch.kubernetes.io/job-tracking) still holds
      // the pod, marked with grace 0, until its owner removes it; then the registry removes the pod.
      if ((pod.metadata.finalizers?.length ?? 0) === 0) return { action: 'remove' };
      if (existing && pod.metadata.deletionGracePeriodSeconds === 0) return { action: 'mark', object: current };
      return {
        action: 'mark',
        object: { ...current, metadata: { ...current.metadata, deletionTimestamp: existing ?? rfc3339(now), deletionGracePeriodSeconds: 0 } },
      };
    }

    const deadlineMs = now.getTime() + graceSeconds * 1000;
    // A second delete may hurry a terminating pod along, never give it more time.
    if (existing && Date.parse(existing) <= deadlineMs) return { action: 'mark', object: current };

    return {
      action: 'mark',
      object: {
        ...current,
        metadata: { ...current.metadata, deletionTimestamp: rfc3339(new Date(deadlineMs)), deletionGracePeriodSeconds: graceSeconds },
      },
    };
  },
};
