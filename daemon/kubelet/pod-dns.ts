// The DNS configuration of a pod's sandbox: the kubelet's pkg/kubelet/network/dns.
//
// - ClusterFirst (the default): the cluster DNS server is the pod's nameserver, and the search
//   list makes short names work: `hello` is tried as `hello.<ns>.svc.cluster.local` first (a
//   Service of the pod's own namespace), then `hello.svc.cluster.local`, `hello.cluster.local`,
//   then the node's own search domains; `options ndots:5` makes a name with fewer than 5 dots go
//   through that list before it is tried as it is. So `wget http://database:3306/` finds the
//   Service `database` of the pod's namespace, and `database.other` the one of namespace `other`.
// - ClusterFirst on a hostNetwork pod: as Default (the pod lives in the node's network and uses
//   its resolver), unless the policy says ClusterFirstWithHostNet.
// - Default: the node's resolver configuration (its /etc/resolv.conf).
// - None: nothing but what dnsConfig says.
// - dnsConfig is added to any policy: its nameservers after the policy's (3 at most, as glibc
//   reads no more), its searches after the policy's (duplicates dropped, 32 at most), its options
//   replacing the policy's options of the same name.
// - ClusterFirst with no cluster DNS running (the server could not bind it): as Default, since a
//   nameserver that never answers is worse than none (the kubelet does the same without
//   --cluster-dns).

import type { Pod } from '../../lib/api/types.js';
import type { ResolvConf } from '../runtime/etc-files.js';

export interface ClusterDns {
  /** The cluster DNS server's addresses (kubelet --cluster-dns). */
  servers: string[];
  /** kubelet --cluster-domain, `cluster.local`. */
  domain: string;
}

export interface SandboxDns {
  dnsServers?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
}

const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;

/**
 * The nameservers, search list and options of the pod's sandbox; empty: the engine's own (which
 * is the node's resolver: policy Default without dnsConfig). `node` is the node's resolv.conf.
 */
export function podDnsConfig(pod: Pod, clusterDns: ClusterDns | undefined, node: ResolvConf = { nameservers: [], searches: [], options: [] }): SandboxDns {
  let policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirst' && pod.spec.hostNetwork) policy = 'Default';
  if ((policy === 'ClusterFirst' || policy === 'ClusterFirstWithHostNet') && (!clusterDns || clusterDns.servers.length === 0)) policy = 'Default';
  const dnsConfig = pod.spec.dnsConfig;
  let base: ResolvConf;
  if (policy === 'ClusterFirst' || policy === 'ClusterFirstWithHostNet') {
    const namespace = pod.metadata.namespace ?? 'default';
    const { domain } = clusterDns!;
    base = { nameservers: [...clusterDns!.servers], searches: [`${namespace}.svc.${domain}`, `svc.${domain}`, domain, ...node.searches], options: ['ndots:5'] };
  } else if (policy === 'None') base = { nameservers: [], searches: [], options: [] };
  else {
    if (!dnsConfig) return {};
    base = { nameservers: [...node.nameservers], searches: [...node.searches], options: [...node.options] };
  }
  const merged = mergeDnsConfig(base, dnsConfig);
  return { dnsServers: merged.nameservers, dnsSearch: merged.searches, dnsOptions: merged.options };
}

function mergeDnsConfig(base: ResolvConf, dnsConfig: Pod['spec']['dnsConfig']): ResolvConf {
  const nameservers = [...new Set([...base.nameservers, ...(dnsConfig?.nameservers ?? [])])].slice(0, MAX_NAMESERVERS);
  const searches = [...new Set([...base.searches, ...(dnsConfig?.searches ?? [])])].slice(0, MAX_SEARCHES);
  const options = new Map<string, string>();
  for (const option of base.options) {
    const [name, value] = option.split(':', 2);
    options.set(name, value === undefined ? name : `${name}:${value}`);
  }
  for (const option of dnsConfig?.options ?? []) {
    if (!option.name) continue;
    options.set(option.name, option.value !== undefined && option.value !== '' ? `${option.name}:${option.value}` : option.name);
  }
  return { nameservers, searches, options: [...options.values()] };
}
