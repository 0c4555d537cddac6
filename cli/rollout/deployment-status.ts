// `kubelab rollout status`: kubectl's DeploymentStatusViewer, the one question it asks of each
// version of a Deployment it sees — "is the rollout done, and if not, what is it waiting for?".
//
// The answer is read from status alone, in this order:
// 1. the controller has not seen the latest spec yet (generation > observedGeneration);
// 2. the Progressing condition says ProgressDeadlineExceeded: an error, the rollout is stuck;
// 3. not every replica runs the new template yet (updatedReplicas < spec.replicas);
// 4. old replicas are still around (status.replicas > updatedReplicas);
// 5. some new replicas are not available yet (availableReplicas < updatedReplicas);
// 6. otherwise: done.

import type { Deployment } from '../../lib/api/types.js';
import { REVISION_ANNOTATION } from './deployment-revisions.js';

export interface RolloutStatus {
  /** One line, with its newline, exactly as kubectl prints it. */
  message: string;
  done: boolean;
}

/** Thrown when the rollout can no longer succeed: the CLI prints it and exits 1. */
export class RolloutFailed extends Error {
  override name = 'RolloutFailed';
}

/** `revision` > 0: the Deployment must be at that revision (kubectl's --revision). */
export function deploymentRolloutStatus(d: Deployment, revision = 0): RolloutStatus {
  const name = d.metadata.name;
  if (revision > 0) {
    const current = Number(d.metadata.annotations?.[REVISION_ANNOTATION] ?? 0);
    if (current !== revision) throw new RolloutFailed(`desired revision (${revision}) is different from the running revision (${current})`);
  }
  const st = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (st.observedGeneration ?? 0)) {
    return { message: 'Waiting for deployment spec update to be observed...\n', done: false };
  }
  const progressing = st.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') throw new RolloutFailed(`deployment "${name}" exceeded its progress deadline`);
  const waiting = `Waiting for deployment "${name}" rollout to finish:`;
  const desired = d.spec.replicas ?? 1;
  const updated = st.updatedReplicas ?? 0;
  if (updated < desired) return { message: `${waiting} ${updated} out of ${desired} new replicas have been updated...\n`, done: false };
  const total = st.replicas ?? 0;
  if (total > updated) return { message: `${waiting} ${total - updated} old replicas are pending termination...\n`, done: false };
  const available = st.availableReplicas ?? 0;
  if (available < updated) return { message: `${waiting} ${available} of ${updated} updated replicas are available...\n`, done: false };
  return { message: `deployment "${name}" successfully rolled out\n`, done: true };
}
