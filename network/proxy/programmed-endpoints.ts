// Which pods' endpoints a proxy pass has just put into service for the first time: the proxy
// tells each such pod with one event (ProxyProgrammed, from kube-proxy on this node), the last
// row of `kubelab trace pod` for a pod coming up. kube-proxy records no such event; kubelab does
// because "the pod is in Endpoints" is not yet "this node sends it connections".
//
// Event volume stays small by design: one event per (pod, Service) per node, when the pod's
// address first becomes a ready endpoint of a Service this node proxies. A pass that changes
// nothing for a pod (a resync, another pod's change) records nothing; a pod that leaves the ready
// endpoints and comes back is told again.

import type { Endpoints, ObjectReference } from '../../lib/api/types.js';

export interface ProgrammedEndpoint {
  /** `namespace/name` of the Service. */
  service: string;
  ip: string;
  pod: ObjectReference;
}

export interface ProgrammedEndpoints {
  /** Keys (`<service>|<pod uid or ip>`) of every ready pod endpoint now programmed. */
  current: Set<string>;
  /** Those that the previous pass did not have. */
  added: ProgrammedEndpoint[];
}

/**
 * Compares the ready pod endpoints of the proxied Services (`proxiedServices`: `namespace/name`)
 * with the previous pass's keys.
 */
export function newlyProgrammedEndpoints(previous: ReadonlySet<string>, endpoints: Endpoints[], proxiedServices: ReadonlySet<string>): ProgrammedEndpoints {
  const current = new Set<string>();
  const added: ProgrammedEndpoint[] = [];
  for (const object of endpoints) {
    const service = `${object.metadata.namespace}/${object.metadata.name}`;
    if (!proxiedServices.has(service)) continue;
    for (const subset of object.subsets ?? []) {
      if ((subset.ports ?? []).length === 0) continue;
      for (const address of subset.addresses ?? []) {
        if (address.targetRef?.kind !== 'Pod') continue;
        const key = `${service}|${address.targetRef.uid ?? address.ip}`;
        if (current.has(key)) continue;
        current.add(key);
        if (!previous.has(key)) added.push({ service, ip: address.ip, pod: address.targetRef });
      }
    }
  }
  return { current, added };
}
