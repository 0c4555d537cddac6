// Lease (coordination.k8s.io/v1): a named, timed claim that one holder makes and keeps renewing.
// Kubernetes uses Leases for two things kubelab does too: leader election among several
// schedulers and controller managers (kube-system/kube-scheduler, kube-system/kube-controller-manager),
// and node heartbeats (kube-node-lease/<node>, renewed by each kubelet). The API server only
// stores Leases; what they mean is decided by their holders (lib/leader-election.ts).

import { ObjectMeta } from './meta.js';
import { definition, enumOf, int32, kindSchema, object, string, time, type KindSchema } from './schema.js';

const LeaseSpec = definition('io.k8s.api.coordination.v1.LeaseSpec', 'LeaseSpec is a specification of a Lease.', {
  holderIdentity: string('holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.', { proto: 1, pointer: true }),
  leaseDurationSeconds: int32('leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it. This is measured against the time of last observed renewTime.', { proto: 2, pointer: true }),
  acquireTime: time('acquireTime is a time when the current lease was acquired.', { proto: 3, pointer: true }),
  renewTime: time('renewTime is a time when the current holder of a lease has last updated the lease.', { proto: 4, pointer: true }),
  leaseTransitions: int32('leaseTransitions is the number of transitions of a lease between holders.', { proto: 5, pointer: true }),
  strategy: enumOf(['OldestEmulationVersion'], 'Strategy indicates the strategy for picking the leader for coordinated leader election (alpha in Kubernetes; kubelab refuses it).', { proto: 6, pointer: true }),
  preferredHolder: string('PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up (coordinated leader election; kubelab refuses it).', { proto: 7, pointer: true }),
});

export const Lease: KindSchema = kindSchema('coordination.k8s.io', 'v1', 'Lease', 'Lease defines a lease concept.', {
  spec: object(LeaseSpec, 'spec contains the specification of the Lease.', { proto: 2 }),
}, ObjectMeta);
