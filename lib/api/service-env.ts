// The environment variables a pod gets for the Services of its namespace: the kubelet's
// getServiceEnvVarMap and pkg/kubelet/envvars.FromServices.
//
// Before cluster DNS existed, this was how a pod found a Service: every container starts with
// `HELLO_SERVICE_HOST=10.96.0.12` and `HELLO_SERVICE_PORT=80` for a Service `hello`, plus the
// variables Docker's container links used to set (`HELLO_PORT_80_TCP_ADDR` ...), so programs
// written for links ran unchanged. Two consequences worth knowing:
// - only Services that exist when the pod starts are seen (the variables are fixed at start);
// - a headless Service (clusterIP None) has no address to give, so it gets no variables.
// The `kubernetes` Service of the default namespace is always included, so every pod can find the
// API server; others only when the pod's spec.enableServiceLinks is not false.

import type { EnvVar, Service } from './types.js';

/** `my-svc` → `MY_SVC`. */
export function envVariableName(serviceName: string): string {
  return serviceName.replace(/-/g, '_').toUpperCase();
}

/** Whether the Service has a virtual IP (not headless, not ExternalName). */
export function hasClusterIP(service: Service): boolean {
  const ip = service.spec?.clusterIP;
  return typeof ip === 'string' && ip !== '' && ip !== 'None';
}

export interface ServiceEnvOptions {
  /** The pod's spec.enableServiceLinks; false keeps only the `kubernetes` Service. Default true. */
  enableServiceLinks?: boolean;
  /** Where the `kubernetes` Service lives. Default `default`. */
  masterNamespace?: string;
}

/**
 * The variables for a pod in `namespace`, given every Service the kubelet knows of. A Service of
 * the pod's own namespace wins over the master namespace's namesake. Sorted by Service name, so the
 * result does not depend on list order. Container `env` entries win over these (the caller's job).
 */
export function serviceEnvVars(services: Service[], namespace: string, options: ServiceEnvOptions = {}): EnvVar[] {
  const { enableServiceLinks = true, masterNamespace = 'default' } = options;
  const chosen = new Map<string, Service>();
  for (const service of services) {
    const name = service.metadata.name ?? '';
    if (!hasClusterIP(service)) continue;
    if (service.metadata.namespace === masterNamespace && name === 'kubernetes' && !chosen.has(name)) chosen.set(name, service);
    if (service.metadata.namespace === namespace && enableServiceLinks) chosen.set(name, service);
  }
  return envVarsFromServices([...chosen.values()].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')));
}

/** FromServices: the variables of each Service with a ClusterIP, in the given order. */
export function envVarsFromServices(services: Service[]): EnvVar[] {
  const result: EnvVar[] = [];
  for (const service of services) {
    const ports = service.spec?.ports ?? [];
    if (!hasClusterIP(service) || ports.length === 0) continue;
    const prefix = envVariableName(service.metadata.name ?? '');
    const ip = service.spec.clusterIP as string;
    result.push({ name: `${prefix}_SERVICE_HOST`, value: ip });
    // The first port keeps the short, backwards-compatible name; named ports get their own.
    result.push({ name: `${prefix}_SERVICE_PORT`, value: String(ports[0].port) });
    for (const port of ports) {
      if (port.name) result.push({ name: `${prefix}_SERVICE_PORT_${envVariableName(port.name)}`, value: String(port.port) });
    }
    result.push(...dockerLinkVariables(prefix, ip, ports));
  }
  return result;
}

/** What `docker run --link` set: `HELLO_PORT=tcp://10.96.0.12:80` and four variables per port. */
function dockerLinkVariables(prefix: string, ip: string, ports: NonNullable<Service['spec']['ports']>): EnvVar[] {
  const result: EnvVar[] = [];
  ports.forEach((port, i) => {
    const protocol = (port.protocol ?? 'TCP').toLowerCase();
    const url = `${protocol}://${ip}:${port.port}`;
    // Docker special-cases the first port.
    if (i === 0) result.push({ name: `${prefix}_PORT`, value: url });
    const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
    result.push(
      { name: portPrefix, value: url },
      { name: `${portPrefix}_PROTO`, value: protocol },
      { name: `${portPrefix}_PORT`, value: String(port.port) },
      { name: `${portPrefix}_ADDR`, value: ip },
    );
  });
  return result;
}
