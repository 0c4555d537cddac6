// What `kubelab expose` creates: kubectl's service generator (kubectl/pkg/generate/versioned,
// ServiceGeneratorV2) as one pure function, so its rules can be table-tested.
//
// The Service copies from the exposed object:
// - its selector: a pod's labels, a ReplicationController's or Service's selector map, a
//   ReplicaSet's or Deployment's matchLabels (matchExpressions cannot be written as a Service
//   selector, so such an object cannot be exposed);
// - its labels, as the Service's labels;
// - its ports, when --port is not given: every container port (named port-1, port-2 ... when
//   there are several, since a multi-port Service must name its ports), or an exposed Service's
//   ports.
// --target-port may be a number or a container port's name; without it the target is the port.

import type { Container, KubeObject, Pod, Service, ServicePort } from '../lib/api/types.js';
import { CliError } from './cli-errors.js';

export interface ExposeOptions {
  name?: string;
  port?: number;
  targetPort?: string;
  type?: string;
  nodePort?: number;
  protocol?: string;
  sessionAffinity?: string;
  loadBalancerIP?: string;
}

type Selectable = KubeObject & {
  spec?: {
    selector?: Record<string, string> | { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    template?: { spec?: { containers?: Container[] } };
    containers?: Container[];
    ports?: ServicePort[];
  };
};

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

export function planExposedService(obj: KubeObject, options: ExposeOptions): Service {
  const source = obj as Selectable;
  const describeSource = `${(obj.kind ?? 'object').toLowerCase()}/${obj.metadata.name}`;
  const selector = selectorOf(source, describeSource);
  if (Object.keys(selector).length === 0) throw new CliError(`couldn't retrieve selectors via --selector flag or introspection: ${describeSource} has no labels to select`);
  if (options.type && !SERVICE_TYPES.includes(options.type)) throw new CliError(`invalid --type "${options.type}": one of ${SERVICE_TYPES.join(', ')}`);
  const ports = portsOf(source, options, describeSource);
  if (options.nodePort !== undefined) {
    if (options.type !== 'NodePort' && options.type !== 'LoadBalancer') throw new CliError('--node-port needs --type=NodePort or --type=LoadBalancer');
    ports[0].nodePort = options.nodePort;
  }
  const labels = obj.metadata.labels;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: options.name ?? obj.metadata.name, ...(labels && Object.keys(labels).length ? { labels: { ...labels } } : {}) },
    spec: {
      ports,
      selector,
      ...(options.type ? { type: options.type as Service['spec']['type'] } : {}),
      ...(options.sessionAffinity ? { sessionAffinity: options.sessionAffinity as Service['spec']['sessionAffinity'] } : {}),
      ...(options.loadBalancerIP ? { loadBalancerIP: options.loadBalancerIP } : {}),
    },
    status: { loadBalancer: {} },
  } as Service;
}

function selectorOf(obj: Selectable, describeSource: string): Record<string, string> {
  if (obj.kind === 'Pod') return { ...(obj.metadata.labels ?? {}) };
  const selector = obj.spec?.selector;
  if (!selector) return {};
  if (obj.kind === 'ReplicationController' || obj.kind === 'Service') return { ...(selector as Record<string, string>) };
  const labelSelector = selector as { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  if (labelSelector.matchExpressions?.length) throw new CliError(`cannot expose ${describeSource}: its selector has matchExpressions, which a Service selector cannot hold`);
  return { ...(labelSelector.matchLabels ?? {}) };
}

function portsOf(obj: Selectable, options: ExposeOptions, describeSource: string): ServicePort[] {
  const protocol = (options.protocol ?? 'TCP') as ServicePort['protocol'];
  const target = options.targetPort === undefined ? undefined : /^\d+$/.test(options.targetPort) ? Number(options.targetPort) : options.targetPort;
  if (options.port !== undefined) return [{ port: options.port, protocol, targetPort: target ?? options.port }];
  const found: { port: number; protocol?: string }[] =
    obj.kind === 'Service'
      ? (obj.spec?.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol }))
      : containersOf(obj).flatMap((c) => (c.ports ?? []).map((p) => ({ port: p.containerPort, protocol: p.protocol })));
  if (found.length === 0) throw new CliError(`couldn't find port via --port flag or introspection: ${describeSource} declares no ports; pass --port`);
  return found.map((p, i) => ({
    ...(found.length > 1 ? { name: `port-${i + 1}` } : {}),
    port: p.port,
    protocol: (options.protocol ?? p.protocol ?? 'TCP') as ServicePort['protocol'],
    targetPort: target ?? p.port,
  }));
}

function containersOf(obj: Selectable): Container[] {
  if (obj.kind === 'Pod') return (obj as unknown as Pod).spec.containers ?? [];
  return obj.spec?.template?.spec?.containers ?? [];
}
