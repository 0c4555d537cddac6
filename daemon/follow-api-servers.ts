// How an agent keeps its list of API servers current: it follows the `default/kubernetes`
// Endpoints, where every kube-apiserver whose identity Lease is live writes its address (the
// lease endpoint reconciler; kubelab's servers do the same). Each change of that object is
// planned into the agent's ServerEndpoints (planServerList: the Endpoints' https addresses,
// then the servers the agent was started with), so a server that joins later is used when the
// others die, and one that left is no longer dialled first.
//
// The watch is the node agent's shared `endpoints` informer (the proxy and the DNS watch every
// Endpoints anyway): following the servers costs no request of its own, and the watch itself
// fails over with the client that carries it.

import type { Endpoints } from '../lib/api/types.js';
import { planServerList, type ServerEndpoints } from '../lib/client/server-endpoints.js';
import type { SharedInformerFactory } from '../lib/client/shared-informer-factory.js';
import type { Logger } from '../lib/logger.js';

const NAMESPACE = 'default';
const NAME = 'kubernetes';

/** Starts following; returns the function that stops it (the informer runs on with its other users). */
export function followApiServers(informers: SharedInformerFactory, servers: ServerEndpoints, given: readonly string[], log: Logger, signal: AbortSignal): () => void {
  const informer = informers.informerFor<Endpoints>('endpoints');
  const update = (endpoints: Endpoints) => {
    if (endpoints.metadata.namespace !== NAMESPACE || endpoints.metadata.name !== NAME) return;
    const before = servers.list();
    servers.replace(planServerList(given, endpoints));
    const after = servers.list();
    if (before.join() !== after.join()) log.info(`API servers: ${after.join(', ')} (from ${NAMESPACE}/${NAME} Endpoints)`);
  };
  const remove = informer.addEventHandler({ onAdd: update, onUpdate: (_old, endpoints) => update(endpoints) });
  void informer.start(signal);
  return remove;
}
