// The node's service proxy as kubelabd runs it: the Proxier (network/proxy/proxier.ts) putting
// ClusterIPs and LoadBalancer IPs on this host's `lo` as /32 addresses, and listening on them and
// on every node address's NodePorts.
//
// What this file adds to the Proxier is ownership of host state across runs: every address goes
// through a RecordedAddressManager whose record lives in the data dir, so a clean stop removes
// what this daemon added (the Proxier does, when its signal aborts) and the next start removes
// what a killed run left behind, and never an address some other program put on `lo`.

import path from 'node:path';
import type { ApiClient } from '../lib/client/api-client.js';
import { logger, type Logger } from '../lib/logger.js';
import type { SharedInformerFactory } from '../lib/client/shared-informer-factory.js';
import { IpCommandAddressManager } from '../network/proxy/address-manager.js';
import { Proxier, type ProxierOptions } from '../network/proxy/proxier.js';
import { RecordedAddressManager } from '../network/proxy/recorded-address-manager.js';

export interface NodeProxyOptions {
  client: ApiClient;
  dataDir: string;
  /** The node's InternalIP(s); 127.0.0.1 is added, so NodePorts answer on loopback too. */
  nodeAddresses: string[];
  log?: Logger;
  informers?: SharedInformerFactory;
  /** Where a Service or Endpoints the proxier cannot read is reported (kubelabd: a Warning event on it). */
  onUnreadable?: ProxierOptions['onUnreadable'];
  /** Told of each pod endpoint newly live on this node (kubelabd: a ProxyProgrammed event on the pod). */
  onEndpointProgrammed?: ProxierOptions['onEndpointProgrammed'];
}

export const PROXY_ADDRESS_RECORD = 'proxy-addresses.json';

/** Removes a previous run's leftover addresses, then returns a Proxier ready to run(signal). */
export async function createNodeProxy(options: NodeProxyOptions): Promise<Proxier> {
  const log = options.log ?? logger('proxy');
  const addressManager = new RecordedAddressManager(new IpCommandAddressManager({ device: 'lo' }), path.join(options.dataDir, PROXY_ADDRESS_RECORD));
  const leftovers = await addressManager.removeLeftovers();
  if (leftovers.length > 0) log.info(`removed ${leftovers.length} Service address(es) a previous run left on lo: ${leftovers.join(', ')}`);
  const nodeAddresses = [...new Set([...options.nodeAddresses, '127.0.0.1'])];
  return new Proxier({ client: options.client, addressManager, nodeAddresses, onError: (message) => log.error(message), informers: options.informers, onUnreadable: options.onUnreadable, onEndpointProgrammed: options.onEndpointProgrammed });
}
