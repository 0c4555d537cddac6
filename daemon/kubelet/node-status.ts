// The kubelet's node status manager: it registers this host as a Node object and keeps telling
// the cluster it is alive (the heartbeat), so the scheduler places pods here and the node
// lifecycle controller does not declare the node dead.
//
// - Registration creates the Node, or, when it exists (a restart), adds this kubelet's labels to
//   it with a merge patch: labels users put on the node (`kubectl label node`) are kept.
// - Capacity comes from the container runtime (cpus, memory) plus the kubelet's pod limit (110,
//   Kubernetes' default); kubelab reserves nothing, so allocatable equals capacity.
// - Every 10 s the status is computed again, and written when it changed or when the last write
//   is 5 minutes old (Kubernetes' nodeStatusReportFrequency), with a new lastHeartbeatTime;
//   lastTransitionTime moves only when a condition's status flips. The heartbeat between two
//   writes is the node lease (node-lease.ts), a much smaller write.

import os from 'node:os';
import type { Node, NodeCondition } from '../../lib/api/types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { Clock } from '../../lib/clock.js';
import { runEvery } from '../../lib/controller-runtime.js';
import { isConflict, isNotFound } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { NODE_DATA_DIR_ANNOTATION } from '../../lib/storage/storage-names.js';
import { rfc3339 } from '../../lib/time.js';
import { KUBELET_DEFAULTS } from '../config.js';
import type { ContainerRuntime, RuntimeInfo } from '../runtime/container-runtime.js';

export const KUBELET_VERSION = 'v1.32.5-kubelab';
/** How many pods a node takes (the kubelet's --max-pods default). */
export const MAX_PODS = 110;
export const HEARTBEAT_INTERVAL_MS = KUBELET_DEFAULTS.heartbeatIntervalMs;

/** Whether two node statuses differ in more than their conditions' heartbeat times (pure). */
export function nodeStatusChanged(before: Node['status'] | undefined, after: Node['status'] | undefined): boolean {
  const withoutHeartbeats = (status: Node['status'] | undefined) =>
    JSON.stringify({ ...status, conditions: status?.conditions?.map(({ lastHeartbeatTime: _beat, ...condition }) => condition) });
  return withoutHeartbeats(before) !== withoutHeartbeats(after);
}

/** Docker reports the kernel's machine name; Kubernetes uses Go's GOARCH names. */
export function goArch(machine: string): string {
  const names: Record<string, string> = { x86_64: 'amd64', amd64: 'amd64', aarch64: 'arm64', arm64: 'arm64', armv7l: 'arm', i686: '386', i386: '386', s390x: 's390x', ppc64le: 'ppc64le' };
  return names[machine] ?? machine;
}

export function nodeLabels(nodeName: string, info: RuntimeInfo, role: 'server' | 'agent'): Record<string, string> {
  const arch = goArch(info.architecture);
  const os = info.operatingSystem === 'linux' || !info.operatingSystem ? 'linux' : info.operatingSystem;
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': os,
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': nodeName,
    'kubernetes.io/os': os,
    ...(role === 'server' ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
  };
}

function condition(previous: NodeCondition[] | undefined, now: string, wanted: Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>): NodeCondition {
  const before = previous?.find((c) => c.type === wanted.type);
  return { ...wanted, lastHeartbeatTime: now, lastTransitionTime: before?.status === wanted.status && before.lastTransitionTime ? before.lastTransitionTime : now };
}

/**
 * The status this kubelet reports for its node (pure). `kubeletPort`, when this kubelet serves
 * streams (multi-host), goes to daemonEndpoints: the API server dials InternalIP:that port for
 * the logs, exec and port-forward of this node's pods.
 */
export function buildNodeStatus(
  info: RuntimeInfo,
  previous: Node['status'] | undefined,
  now: Date,
  nodeName: string,
  nodeIP: string,
  kubeletPort?: number,
  notReady?: NodeReadinessProblem,
): NonNullable<Node['status']> {
  const at = rfc3339(now);
  const resources = { cpu: String(info.cpus), memory: `${Math.floor(info.memoryBytes / 1024)}Ki`, pods: String(MAX_PODS) };
  const before = previous?.conditions;
  return {
    ...previous,
    capacity: resources,
    allocatable: resources,
    conditions: [
      condition(before, at, { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' }),
      condition(before, at, { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' }),
      condition(before, at, { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' }),
      notReady
        ? condition(before, at, { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: `${notReady.reason}: ${notReady.message}` })
        : condition(before, at, { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }),
    ],
    addresses: [
      { type: 'InternalIP', address: nodeIP },
      { type: 'Hostname', address: nodeName },
    ],
    ...(kubeletPort !== undefined ? { daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } } } : {}),
    nodeInfo: {
      machineID: previous?.nodeInfo?.machineID ?? '',
      systemUUID: previous?.nodeInfo?.systemUUID ?? '',
      bootID: previous?.nodeInfo?.bootID ?? '',
      kernelVersion: info.kernelVersion,
      osImage: info.osImage,
      containerRuntimeVersion: info.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: info.operatingSystem || 'linux',
      architecture: goArch(info.architecture),
    },
  };
}

/** This host's first non-loopback IPv4 address (the node's InternalIP), or 127.0.0.1. */
export function defaultNodeIP(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** Something this node needs and lacks (the cluster DNS cannot bind its port, say): the node is Ready False with it. */
export interface NodeReadinessProblem {
  reason: string;
  message: string;
}

export interface NodeStatusOptions {
  nodeName: string;
  client: ApiClient;
  runtime: ContainerRuntime;
  clock: Clock;
  role: 'server' | 'agent';
  nodeIP: string;
  /** The port of this node's kubelet stream server (kubelet-server.ts); absent on a single-node cluster. */
  kubeletPort?: number;
  /** A pod subnet this node brings itself (--pod-subnet): set when the Node is created, so the IPAM controller never leases it another. */
  podCIDR?: string;
  heartbeatIntervalMs?: number;
  /** An unchanged status is written again after this long (KUBELET_DEFAULTS.nodeStatusReportIntervalMs without it). */
  statusReportIntervalMs?: number;
  /** Asked at every heartbeat: a problem makes the node NotReady with it (Kubernetes: the runtime or network not ready). */
  readinessProblem?: () => NodeReadinessProblem | undefined;
  /** This node's data dir, published as the kubelab.io/data-dir annotation: the local-path provisioner puts this node's volumes under it. */
  dataDir?: string;
}

export class NodeStatusManager {
  private info?: RuntimeInfo;
  /** When this manager last wrote the status (ms on its clock): an unchanged status waits for the report interval. */
  private lastReportMs?: number;

  constructor(private readonly options: NodeStatusOptions) {}

  /** Creates this node's Node object, or adds our labels to the existing one; then writes its status. */
  async registerOnce(): Promise<Node> {
    const { client, nodeName, role, runtime } = this.options;
    this.info = await runtime.info();
    const labels = nodeLabels(nodeName, this.info, role);
    const annotations = this.options.dataDir ? { [NODE_DATA_DIR_ANNOTATION]: this.options.dataDir } : undefined;
    try {
      await client.patch<Node>('nodes', undefined, nodeName, { metadata: { labels, ...(annotations ? { annotations } : {}) } }, 'merge');
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await client.create<Node>('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, labels, ...(annotations ? { annotations } : {}) }, spec: this.options.podCIDR ? { podCIDR: this.options.podCIDR, podCIDRs: [this.options.podCIDR] } : {} });
    }
    return this.heartbeatOnce();
  }

  /** Writes the node's status with a fresh lastHeartbeatTime (re-registering if the Node was deleted). */
  async heartbeatOnce(): Promise<Node> {
    const { client, nodeName, clock, nodeIP, kubeletPort } = this.options;
    if (!this.info) return this.registerOnce();
    for (let attempt = 0; ; attempt++) {
      let node: Node;
      try {
        node = await client.get<Node>('nodes', undefined, nodeName);
      } catch (err) {
        if (isNotFound(err)) return this.registerOnce();
        throw err;
      }
      const now = clock.now();
      const status = buildNodeStatus(this.info, node.status, now, nodeName, nodeIP, kubeletPort, this.options.readinessProblem?.());
      const reportIntervalMs = this.options.statusReportIntervalMs ?? KUBELET_DEFAULTS.nodeStatusReportIntervalMs;
      const reportDue = this.lastReportMs === undefined || now.getTime() - this.lastReportMs >= reportIntervalMs;
      if (!reportDue && !nodeStatusChanged(node.status, status)) return node;
      try {
        const written = await client.updateStatus<Node>('nodes', { ...node, status });
        this.lastReportMs = now.getTime();
        return written;
      } catch (err) {
        if (!isConflict(err) || attempt >= 3) throw err;
      }
    }
  }

  /** Registers (retrying until it works), then heartbeats until `signal` aborts. */
  async run(signal: AbortSignal, log: Logger): Promise<void> {
    const intervalMs = this.options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
    await runEvery(this.options.clock, intervalMs, signal, () => (this.info ? this.heartbeatOnce() : this.registerOnce()), {
      immediately: true,
      onError: (err) => log.error(`node status of ${this.options.nodeName}`, { err }),
    });
  }
}
