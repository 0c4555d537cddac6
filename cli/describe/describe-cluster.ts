// `kubelab describe` for Nodes, Namespaces, Secrets and Services, plus a generic description
// (metadata and events) for any other kind.

import type { Endpoints, KubeObject, Namespace, Node, Pod, Secret, Service } from '../../lib/api/types.js';
import { isNotFound } from '../../lib/errors.js';
import { NODE_LEASE_NAMESPACE, type Lease } from '../../lib/api/coordination-types.js';
import type { CliContext } from '../cli-context.js';
import { describeEvents, describeMetadata, formatTime } from './describe-common.js';
import { DescribeWriter } from './tab-writer.js';
import { describeNodeNetwork } from './describe-node-network.js';

export async function describeNode(ctx: CliContext, node: Node): Promise<string> {
  const w = new DescribeWriter();
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  w.line(0, 'Name:', node.metadata.name);
  w.line(0, 'Roles:', roles.length ? roles.join(',') : '<none>');
  describeMetadata(w, node, { namespace: false, name: false });
  w.line(0, 'CreationTimestamp:', formatTime(node.metadata.creationTimestamp));
  const taints = (node.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
  w.line(0, 'Taints:', taints[0] ?? '<none>');
  for (const t of taints.slice(1)) w.line(0, '', t);
  w.line(0, 'Unschedulable:', String(node.spec?.unschedulable ?? false));
  await describeNodeLease(ctx, w, node.metadata.name!);
  const st = node.status ?? {};
  w.line(0, 'Conditions:');
  w.line(1, 'Type', 'Status', 'LastHeartbeatTime', 'LastTransitionTime', 'Reason', 'Message');
  w.line(1, '----', '------', '-----------------', '------------------', '------', '-------');
  for (const c of st.conditions ?? []) w.line(1, c.type, c.status, formatTime(c.lastHeartbeatTime), formatTime(c.lastTransitionTime), c.reason ?? '', c.message ?? '');
  w.line(0, 'Addresses:');
  for (const a of st.addresses ?? []) w.line(1, `${a.type}:`, a.address);
  for (const [title, values] of [['Capacity', st.capacity], ['Allocatable', st.allocatable]] as const) {
    w.line(0, `${title}:`);
    for (const [k, v] of Object.entries(values ?? {})) w.line(1, `${k}:`, v);
  }
  const info = st.nodeInfo ?? {};
  w.line(0, 'System Info:');
  w.line(1, 'Kernel Version:', info.kernelVersion ?? '');
  w.line(1, 'OS Image:', info.osImage ?? '');
  w.line(1, 'Operating System:', info.operatingSystem ?? '');
  w.line(1, 'Architecture:', info.architecture ?? '');
  w.line(1, 'Container Runtime Version:', info.containerRuntimeVersion ?? '');
  w.line(1, 'Kubelet Version:', info.kubeletVersion ?? '');
  w.line(0, 'PodCIDR:', node.spec?.podCIDR ?? '');
  await describeNodeNetwork(ctx, w, node);
  const pods = (
    await ctx.client.list<Pod>('pods', { fieldSelector: `spec.nodeName=${node.metadata.name},status.phase!=Succeeded,status.phase!=Failed` })
  ).items;
  w.line(0, `Non-terminated Pods:`, `(${pods.length} in total)`);
  w.line(1, 'Namespace', 'Name', 'Age');
  w.line(1, '---------', '----', '---');
  for (const p of pods) w.line(1, p.metadata.namespace, p.metadata.name, p.metadata.creationTimestamp ? formatTime(p.metadata.creationTimestamp) : '');
  await describeEvents(ctx, w, node);
  return w.toString();
}

/** The node's heartbeat Lease (kube-node-lease/<node>), as kubectl describe node shows it. */
async function describeNodeLease(ctx: CliContext, w: DescribeWriter, nodeName: string): Promise<void> {
  const lease = await ctx.client.get<Lease>('leases.coordination.k8s.io', NODE_LEASE_NAMESPACE, nodeName).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  w.line(0, 'Lease:');
  if (!lease) {
    w.line(1, 'Failed to get lease:', `leases.coordination.k8s.io "${nodeName}" not found`);
    return;
  }
  w.line(1, 'HolderIdentity:', lease.spec?.holderIdentity ?? '<unset>');
  w.line(1, 'AcquireTime:', formatTime(lease.spec?.acquireTime));
  w.line(1, 'RenewTime:', formatTime(lease.spec?.renewTime));
}

export async function describeNamespace(ctx: CliContext, ns: Namespace): Promise<string> {
  const w = new DescribeWriter();
  describeMetadata(w, ns, { namespace: false });
  w.line(0, 'Status:', ns.status?.phase ?? 'Active');
  w.line(0, '');
  w.line(0, 'No resource quota.');
  w.line(0, '');
  w.line(0, 'No LimitRange resource.');
  return w.toString();
}

/** Secrets show each key's size, never its value. */
export async function describeSecret(_ctx: CliContext, secret: Secret): Promise<string> {
  const w = new DescribeWriter();
  describeMetadata(w, secret);
  w.line(0, '');
  w.line(0, 'Type:', secret.type ?? 'Opaque');
  w.line(0, '');
  w.line(0, 'Data');
  w.line(0, '====');
  for (const key of Object.keys(secret.data ?? {}).sort()) {
    w.line(0, `${key}:`, `${Buffer.from(secret.data![key], 'base64').length} bytes`);
  }
  return w.toString();
}

export async function describeService(ctx: CliContext, svc: Service): Promise<string> {
  const w = new DescribeWriter();
  describeMetadata(w, svc);
  const selector = Object.entries(svc.spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  w.line(0, 'Selector:', selector || '<none>');
  w.line(0, 'Type:', svc.spec.type ?? 'ClusterIP');
  w.line(0, 'IP:', svc.spec.clusterIP ?? '');
  w.line(0, 'IPs:', (svc.spec.clusterIPs ?? []).join(',') || '<none>');
  if (svc.spec.externalIPs?.length) w.line(0, 'External IPs:', svc.spec.externalIPs.join(','));
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  if (ingress.length) w.line(0, 'LoadBalancer Ingress:', ingress.map((i) => i.ip ?? i.hostname).join(', '));
  let endpoints: Endpoints | undefined;
  try {
    endpoints = await ctx.client.get<Endpoints>('endpoints', svc.metadata.namespace, svc.metadata.name ?? '');
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  for (const p of svc.spec.ports ?? []) {
    const proto = p.protocol ?? 'TCP';
    w.line(0, 'Port:', p.name ?? '<unset>', `${p.port}/${proto}`);
    w.line(0, 'TargetPort:', `${p.targetPort ?? p.port}/${proto}`);
    if (p.nodePort) w.line(0, 'NodePort:', p.name ?? '<unset>', `${p.nodePort}/${proto}`);
    const addresses = (endpoints?.subsets ?? []).flatMap((s) =>
      (s.ports ?? []).filter((ep) => !p.name || ep.name === p.name).flatMap((ep) => (s.addresses ?? []).map((a) => `${a.ip}:${ep.port}`)),
    );
    w.line(0, 'Endpoints:', addresses.join(',') || '<none>');
  }
  w.line(0, 'Session Affinity:', svc.spec.sessionAffinity ?? 'None');
  describeProxyState(w, svc, await proxyState(ctx));
  await describeEvents(ctx, w, svc);
  return w.toString();
}

/** The shape of kubelabd's `/debug/proxy` (network/proxy/proxier.ts ProxyDescription). */
interface ProxyState {
  services: {
    service: string;
    listeners: { kind: string; protocol: string; address: string; port: number; error?: string; activeConnections?: number }[];
    endpoints: string[];
  }[];
}

/** What the node's proxy does right now; undefined from a server without the view (a real Kubernetes). */
async function proxyState(ctx: CliContext): Promise<ProxyState | undefined> {
  try {
    return await ctx.client.request<ProxyState>('GET', '/debug/proxy');
  } catch {
    return undefined;
  }
}

/** kubelab's own lines: the sockets the proxy has open for the Service, and where it sends connections. */
function describeProxyState(w: DescribeWriter, svc: Service, state: ProxyState | undefined): void {
  const prefix = `${svc.metadata.namespace}/${svc.metadata.name}:`;
  const ports = (state?.services ?? []).filter((s) => s.service.startsWith(prefix));
  if (!state) return;
  const portLabel = (s: { service: string }) => (ports.length > 1 ? `${s.service.slice(prefix.length) || '<unset>'}: ` : '');
  const listeners = ports.flatMap((s) =>
    s.listeners.map((l) => `${portLabel(s)}${l.kind} ${l.address}:${l.port}/${l.protocol} ${l.error ? `(not open: ${l.error})` : `(${l.activeConnections ?? 0} active)`}`),
  );
  w.line(0, 'Listeners:', listeners[0] ?? '<none>');
  for (const line of listeners.slice(1)) w.line(0, '', line);
  const endpoints = ports.map((s) => `${portLabel(s)}${s.endpoints.join(',') || '<none>'}`);
  w.line(0, 'Proxy endpoints:', endpoints[0] ?? '<none>');
  for (const line of endpoints.slice(1)) w.line(0, '', line);
}

/** Any other kind: who it is and what happened to it. */
export async function describeGeneric(ctx: CliContext, obj: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  describeMetadata(w, obj);
  w.line(0, 'API Version:', obj.apiVersion);
  w.line(0, 'Kind:', obj.kind);
  await describeEvents(ctx, w, obj);
  return w.toString();
}
