// Where the API server gets a pod's logs, exec and port-forward from, on a cluster of several
// nodes: kube-apiserver looks up the pod's node and proxies the request to that node's kubelet
// (its InternalIP and the kubelet port the Node publishes). kubelab does the same: a pod on the
// server's own node is served in process by the local kubelet; any other goes to its node's
// kubelet stream server (daemon/kubelet/kubelet-server.ts) through a KubeletClient.
//
// The router decides only *where*; what the streams mean is the kubelets' business.

import type { Duplex, Readable } from 'node:stream';
import type { Pod } from '../../lib/api/types.js';
import { badRequest, errorMessage } from '../../lib/errors.js';
import type { AttachOptions, ExecOptions, ExecSession, LogOptions } from '../runtime/container-runtime.js';
import { KubeletClient, kubeletUnreachable, type KubeletClientTls } from './kubelet-client.js';
import type { PodStreams } from '../pod-streams/pod-streams.js';

export interface NodeRoutedPodStreamsOptions {
  /** The node whose kubelet runs in this process; none on a server without a node agent (--disable-agent). */
  localNodeName?: string;
  /** That kubelet's streams. */
  local?: PodStreams;
  /** Where a node's kubelet listens: its InternalIP and status.daemonEndpoints.kubeletEndpoint.Port. */
  nodeAddress(nodeName: string): Promise<{ host: string; port: number }>;
  /** The cluster CA (kubelets' certificates must chain to it) and the API server's kubelet client certificate. */
  tls: KubeletClientTls;
  dialTimeoutMs?: number;
}

/** Which kubelet serves a pod: the local one, or a remote node's (pure). */
export function planPodStreamRoute(pod: Pod, localNodeName: string | undefined): { local: true } | { local: false; nodeName: string } {
  const nodeName = pod.spec?.nodeName;
  // kube-apiserver's own words for a pod the scheduler has not placed yet.
  if (!nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  return nodeName === localNodeName ? { local: true } : { local: false, nodeName };
}

export class NodeRoutedPodStreams implements PodStreams {
  constructor(private readonly options: NodeRoutedPodStreamsOptions) {}

  logs(pod: Pod, container: string, options: LogOptions & { previous?: boolean }): Promise<Readable> {
    return this.kubeletOf(pod).then((kubelet) => kubelet.logs(pod, container, options));
  }

  exec(pod: Pod, container: string, options: ExecOptions): Promise<ExecSession> {
    return this.kubeletOf(pod).then((kubelet) => kubelet.exec(pod, container, options));
  }

  attach(pod: Pod, container: string, options: AttachOptions): Promise<ExecSession> {
    return this.kubeletOf(pod).then((kubelet) => kubelet.attach(pod, container, options));
  }

  portForward(pod: Pod, port: number): Promise<Duplex> {
    return this.kubeletOf(pod).then((kubelet) => kubelet.portForward(pod, port));
  }

  private async kubeletOf(pod: Pod): Promise<PodStreams> {
    const route = planPodStreamRoute(pod, this.options.local ? this.options.localNodeName : undefined);
    if (route.local) return this.options.local!;
    let address: { host: string; port: number };
    try {
      address = await this.options.nodeAddress(route.nodeName);
    } catch (err) {
      // A deleted Node, or one that never published its kubelet port: still the node's problem, not the pod's.
      throw kubeletUnreachable(route.nodeName, 'an unknown address', errorMessage(err), err);
    }
    return new KubeletClient({ nodeName: route.nodeName, ...address, tls: this.options.tls, dialTimeoutMs: this.options.dialTimeoutMs });
  }
}
