// The decisions of `kubectl port-forward`, pure: which local port listens for which pod port.
//   `8080:80`  local 8080 → pod 80        `80`   local 80 → pod 80
//   `:80`      a free local port → 80     `8080:http`  the pod's container port named http
// For `svc/NAME` the ports given are the Service's ports: each becomes the pod port its
// targetPort names (a number, a container port name, or the same port when unset), as kubectl
// translates them before it forwards to one pod behind the Service.

import type { Pod, Service } from '../lib/api/types.js';
import { CliError } from './cli-errors.js';

export interface PortSpec {
  /** 0: pick a free port. */
  local: number;
  /** A port number or a container port name. */
  remote: number | string;
}

export interface PortMapping {
  local: number;
  remote: number;
}

function parsePort(text: string, what: string, spec: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new CliError(`error parsing ${what} port '${text}' in '${spec}': must be a number 0-65535`);
  return port;
}

export function parsePortSpecs(specs: readonly string[]): PortSpec[] {
  if (specs.length === 0) throw new CliError('at least 1 PORT is required for port-forward');
  return specs.map((spec) => {
    const parts = spec.split(':');
    if (parts.length > 2) throw new CliError(`invalid port format '${spec}'`);
    const [localText, remoteText] = parts.length === 2 ? parts : [parts[0]!, parts[0]!];
    const remote = /^\d+$/.test(remoteText!) ? parsePort(remoteText!, 'remote', spec) : remoteText!;
    if (remote === '' || remote === 0) throw new CliError(`remote port must be > 0 in '${spec}'`);
    const local = localText === '' ? 0 : /^\d+$/.test(localText!) ? parsePort(localText!, 'local', spec) : NaN;
    if (Number.isNaN(local)) throw new CliError(`invalid local port '${localText}' in '${spec}'`);
    return { local, remote };
  });
}

/** The container port of `pod` named `name`. */
function namedContainerPort(pod: Pod, name: string): number {
  for (const container of pod.spec.containers ?? []) for (const port of container.ports ?? []) if (port.name === name) return port.containerPort;
  throw new CliError(`Pod '${pod.metadata.name}' does not have a named port '${name}'`);
}

/** The pod ports behind `specs` given to a pod (or a workload): names resolved on the pod. */
export function podPortMappings(specs: readonly PortSpec[], pod: Pod): PortMapping[] {
  return specs.map((spec) => ({ local: spec.local, remote: typeof spec.remote === 'number' ? spec.remote : namedContainerPort(pod, spec.remote) }));
}

/** The pod ports behind `specs` given to a Service: each service port through its targetPort. */
export function servicePortMappings(specs: readonly PortSpec[], service: Service, pod: Pod): PortMapping[] {
  return specs.map((spec) => {
    const servicePort = (service.spec.ports ?? []).find((p) => (typeof spec.remote === 'number' ? p.port === spec.remote : p.name === spec.remote));
    if (!servicePort) throw new CliError(`Service ${service.metadata.name} does not have a service port ${spec.remote}`);
    const target = servicePort.targetPort;
    const remote = typeof target === 'string' && !/^\d+$/.test(target) ? namedContainerPort(pod, target) : Number(target ?? 0) || servicePort.port;
    // `kubelab port-forward svc/web 80` listens on 80 locally, as kubectl does, whatever the pod port.
    const local = spec.local;
    return { local, remote };
  });
}

/** `--address localhost` listens on both loopback addresses, as kubectl does. */
export function listenAddresses(addresses: readonly string[]): string[] {
  return addresses.flatMap((a) => (a === 'localhost' ? ['127.0.0.1', '::1'] : [a]));
}

/** `127.0.0.1:8080`, `[::1]:8080`. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
