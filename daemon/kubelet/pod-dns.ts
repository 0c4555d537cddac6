// The DNS configuration of a pod's sandbox: the kubelet's pkg/kubelet/network/dns, for the
// policies a lab meets.
//
// - ClusterFirst (the default): the cluster DNS server is the pod's nameserver, and the search
//   list makes short names work: `hello` is tried as `hello.<ns>.svc.cluster.local` first (a
//   Service of the pod's own namespace), then `hello.svc.cluster.local`, `hello.cluster.local`.
//   So `wget http://database:3306/` finds the Service `database` of the pod's namespace, and
//   `database.other` the one of namespace `other`.
// - Default: the node's resolver configuration, i.e. whatever the container engine gives.
// - ClusterFirst with no cluster DNS running (the server could not bind it): as Default, since a
//   nameserver that never answers is worse than none (Kubernetes does the same when the kubelet
//   has no --cluster-dns).

import type { Pod } from '../../lib/api/types.js';

export interface ClusterDns {
  /** The cluster DNS server's addresses (kubelet --cluster-dns). */
  servers: string[];
  /** kubelet --cluster-domain, `cluster.local`. */
  domain: string;
}

export interface SandboxDns {
  dnsServers?: string[];
  dnsSearch?: string[];
}

/** The nameservers and search list of the pod's sandbox; empty: the engine's own. */
export function podDnsConfig(pod: Pod, clusterDns: ClusterDns | undefined): SandboxDns {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'Default' || !clusterDns || clusterDns.servers.length === 0) return {};
  if (policy !== 'ClusterFirst' && policy !== 'ClusterFirstWithHostNet') return {};
  const namespace = pod.metadata.namespace ?? 'default';
  const { domain } = clusterDns;
  return { dnsServers: [...clusterDns.servers], dnsSearch: [`${namespace}.svc.${domain}`, `svc.${domain}`, domain] };
}
