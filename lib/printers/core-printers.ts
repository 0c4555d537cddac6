// Rows of the core/v1 kinds other than pods and nodes: namespaces, secrets, config maps, events,
// services and endpoints (Kubernetes' printNamespace, printService, printEvent... in
// pkg/printers/internalversion/printers.go).

import type { Endpoints, Event, Namespace, Secret, Service, ServicePort } from '../api/types.js';
import type { ServiceAccount } from '../api/service-account-types.js';
import { ageOf } from '../time.js';
import { ageColumn, column, formatLabels, nameColumn, type Printer } from './printer.js';

// ---------------------------------------------------------------------------------------------
// Namespaces, secrets, config maps

export const namespacePrinter: Printer = {
  columns: [nameColumn, column('Status', 'The status of the namespace'), ageColumn],
  cells: (obj, now) => [obj.metadata.name ?? '', (obj as Namespace).status?.phase ?? '', ageOf(obj.metadata.creationTimestamp, now)],
};

export const secretPrinter: Printer = {
  columns: [nameColumn, column('Type', 'The type of the secret'), column('Data', 'The number of entries in the secret', { type: 'integer' }), ageColumn],
  cells(obj, now) {
    const secret = obj as Secret;
    return [secret.metadata.name ?? '', secret.type ?? '', Object.keys(secret.data ?? {}).length, ageOf(secret.metadata.creationTimestamp, now)];
  },
};

export const configMapPrinter: Printer = {
  columns: [nameColumn, column('Data', 'The number of entries in the config map', { type: 'integer' }), ageColumn],
  cells(obj, now) {
    const count = Object.keys((obj.data as object | undefined) ?? {}).length + Object.keys((obj.binaryData as object | undefined) ?? {}).length;
    return [obj.metadata.name ?? '', count, ageOf(obj.metadata.creationTimestamp, now)];
  },
};

/** NAME, SECRETS, AGE: SECRETS counts the (deprecated) secret references, 0 on every new account. */
export const serviceAccountPrinter: Printer = {
  columns: [nameColumn, column('Secrets', 'The number of secrets of the service account', { type: 'integer' }), ageColumn],
  cells: (obj, now) => [obj.metadata.name ?? '', ((obj as ServiceAccount).secrets ?? []).length, ageOf(obj.metadata.creationTimestamp, now)],
};

// ---------------------------------------------------------------------------------------------
// Events

export const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    column('Object', 'The object that this event is about.'),
    column('Subobject', 'The field of the object the event is about, e.g. spec.containers{web}.', { wide: true }),
    column('Source', 'The component reporting this event.', { wide: true }),
    column('Message', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'The time at which the event was first recorded.', { wide: true }),
    column('Count', 'The number of times this event has occurred.', { wide: true }),
    column('Name', nameColumn.description, { format: 'name', wide: true }),
  ],
  cells(obj, now) {
    const event = obj as Event;
    const firstSeen = ageOf(event.firstTimestamp || event.eventTime, now);
    const lastSeen = event.lastTimestamp ? ageOf(event.lastTimestamp, now) : firstSeen;
    const kind = (event.involvedObject?.kind ?? '').toLowerCase();
    const target = event.involvedObject?.name ? `${kind}/${event.involvedObject.name}` : kind;
    const component = event.source?.component || event.reportingComponent || '';
    const host = event.source?.host || event.reportingInstance || '';
    return [
      lastSeen,
      event.type ?? '',
      event.reason ?? '',
      target,
      event.involvedObject?.fieldPath ?? '',
      host ? `${component}, ${host}` : component,
      (event.message ?? '').trim(),
      firstSeen,
      event.count || 1,
      event.metadata.name ?? '',
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// Services and endpoints

/** `80/TCP,443:30001/TCP`: port, node port when there is one, protocol. */
export function servicePortsString(ports: ServicePort[] | undefined): string {
  return (ports ?? [])
    .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`))
    .join(',');
}

function externalIPOf(service: Service): string {
  const externalIPs = service.spec?.externalIPs ?? [];
  switch (service.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = (service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean);
      const all = [...ingress, ...externalIPs];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return String(service.spec.externalName ?? '');
    default:
      return '<unknown>';
  }
}

export const servicePrinter: Printer = {
  columns: [
    nameColumn,
    column('Type', 'The type of the service (ClusterIP, NodePort, LoadBalancer, ExternalName).'),
    column('Cluster-IP', 'The IP address of the service inside the cluster.'),
    column('External-IP', 'The addresses the service is reachable at from outside the cluster.'),
    column('Port(s)', 'The ports the service exposes: port[:nodePort]/protocol.'),
    ageColumn,
    column('Selector', 'Route service traffic to pods with label keys and values matching this selector.', { wide: true }),
  ],
  cells(obj, now) {
    const service = obj as Service;
    return [
      service.metadata.name ?? '',
      service.spec?.type ?? '',
      service.spec?.clusterIPs?.[0] ?? service.spec?.clusterIP ?? '<none>',
      externalIPOf(service),
      servicePortsString(service.spec?.ports) || '<none>',
      ageOf(service.metadata.creationTimestamp, now),
      formatLabels(service.spec?.selector),
    ];
  },
};

/** `10.0.0.3:80,10.0.0.4:80,10.0.0.5:80 + 2 more...`, or `<none>` (Kubernetes' formatEndpoints). */
export function endpointsString(endpoints: Endpoints): string {
  const subsets = endpoints.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const shown: string[] = [];
  let count = 0;
  for (const subset of subsets) {
    const addresses = subset.addresses ?? [];
    const ports = subset.ports ?? [];
    // Headless services may have no ports: list bare addresses.
    const targets = ports.length === 0 ? [undefined] : ports.map((p) => p.port);
    for (const port of targets) {
      count += addresses.length;
      for (const address of addresses) {
        if (shown.length === max) break;
        const host = address.ip.includes(':') ? `[${address.ip}]` : address.ip;
        shown.push(port === undefined ? address.ip : `${host}:${port}`);
      }
    }
  }
  return count > max ? `${shown.join(',')} + ${count - max} more...` : shown.join(',');
}

export const endpointsPrinter: Printer = {
  columns: [nameColumn, column('Endpoints', 'Endpoints of the service: ready addresses and ports.'), ageColumn],
  cells: (obj, now) => [obj.metadata.name ?? '', endpointsString(obj as Endpoints), ageOf(obj.metadata.creationTimestamp, now)],
};
