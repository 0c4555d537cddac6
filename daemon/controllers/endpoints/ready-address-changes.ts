// Which pods a write of a Service's Endpoints adds to, or takes from, its ready addresses: the
// endpoints controller tells each such pod with an event (EndpointsAdded, EndpointsRemoved) so
// that `kubelab trace pod` can show the moment a pod began, and stopped, receiving traffic.
//
// Kubernetes records no such events; kubelab does because it is the one step of a pod's life no
// object keeps a time for (Endpoints have no per-address timestamps). Only changes are told, so
// a controller restart, a resync or an unrelated pod's change records nothing for this pod.

import type { EndpointAddress, Endpoints } from '../../../lib/api/types.js';

export interface ReadyAddressChanges {
  /** Ready now, not before (new, or moved from notReadyAddresses). */
  added: EndpointAddress[];
  /** Ready before, not now; `stillListed` when it is now under notReadyAddresses (not ready rather than deleted or gone). */
  removed: (EndpointAddress & { stillListed: boolean })[];
}

/** A pod's identity in an Endpoints object: its uid, else its name, else the address alone. */
const keyOf = (a: EndpointAddress): string => a.targetRef?.uid ?? (a.targetRef?.name ? `${a.targetRef.namespace}/${a.targetRef.name}` : a.ip);

function addressesIn(endpoints: Endpoints | undefined, list: 'addresses' | 'notReadyAddresses'): Map<string, EndpointAddress> {
  const found = new Map<string, EndpointAddress>();
  for (const subset of endpoints?.subsets ?? []) for (const address of subset[list] ?? []) found.set(keyOf(address), address);
  return found;
}

/** The pods whose readiness for this Service changes when `current` (absent: none stored yet) becomes `desired`. */
export function readyAddressChanges(current: Endpoints | undefined, desired: Endpoints): ReadyAddressChanges {
  const before = addressesIn(current, 'addresses');
  const after = addressesIn(desired, 'addresses');
  const notReadyAfter = addressesIn(desired, 'notReadyAddresses');
  return {
    added: [...after].filter(([key]) => !before.has(key)).map(([, address]) => address),
    removed: [...before].filter(([key]) => !after.has(key)).map(([key, address]) => ({ ...address, stillListed: notReadyAfter.has(key) })),
  };
}
