// Server-side printing: the meta.k8s.io/v1 Table the API server answers with when a client asks
// for `application/json;as=Table;v=v1;g=meta.k8s.io` (kubectl get does, for every human-readable
// output, watches included).
//
// Kubernetes keeps one printer per kind (pkg/printers/internalversion/printers.go): a list of
// column definitions and a function from object to row cells. The server always sends every
// column; kubectl hides those with priority > 0 unless `-o wide`. This module is that table of
// printers, pure (the clock comes in as `now`), so kubelab's own CLI prints the same Tables.

export type { Printer, Table, TableCell, TableColumnDefinition, TableRow, TableRowCondition } from './printer.js';

import { leasePrinter } from './lease-printer.js';
import type { KubeObject } from '../api/types.js';
import { resourceByKey, RESOURCES } from '../api/resources.js';
import { ageOf } from '../time.js';
import { ageColumn, nameColumn, type Printer, type Table, type TableRow } from './printer.js';
import { configMapPrinter, endpointsPrinter, eventPrinter, namespacePrinter, secretPrinter, serviceAccountPrinter, servicePrinter } from './core-printers.js';
import { horizontalPodAutoscalerPrinter } from './autoscaling-printers.js';
import { cronJobPrinter, jobPrinter } from './batch-printers.js';
import { nodePrinter } from './node-printer.js';
import { podPrinter } from './pod-printer.js';
import { rolePrinter, roleBindingPrinter } from './rbac-printers.js';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './storage-printers.js';
import { controllerRevisionPrinter, daemonSetPrinter, deploymentPrinter, replicaSetPrinter, replicationControllerPrinter, statefulSetPrinter } from './workload-printers.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  now: Date;
  /** What each row carries in `object`: kubectl needs Metadata for `-A` and `--show-labels`, Object for `--sort-by`. */
  includeObject: IncludeObject;
  /** Leave out columnDefinitions (watch events after the first, as the real server does). */
  noHeaders?: boolean;
  resourceVersion?: string;
}

/** What kinds without a printer of their own show: the API server's default Name and Age. */
const defaultPrinter: Printer = {
  columns: [nameColumn, ageColumn],
  cells: (obj, now) => [obj.metadata.name ?? '', ageOf(obj.metadata.creationTimestamp, now)],
};

const PRINTERS: Record<string, Printer> = {
  pods: podPrinter,
  nodes: nodePrinter,
  namespaces: namespacePrinter,
  secrets: secretPrinter,
  configmaps: configMapPrinter,
  serviceaccounts: serviceAccountPrinter,
  events: eventPrinter,
  services: servicePrinter,
  endpoints: endpointsPrinter,
  replicationcontrollers: replicationControllerPrinter,
  'replicasets.apps': replicaSetPrinter,
  'deployments.apps': deploymentPrinter,
  'jobs.batch': jobPrinter,
  'cronjobs.batch': cronJobPrinter,
  'daemonsets.apps': daemonSetPrinter,
  'statefulsets.apps': statefulSetPrinter,
  'controllerrevisions.apps': controllerRevisionPrinter,
  persistentvolumes: persistentVolumePrinter,
  persistentvolumeclaims: persistentVolumeClaimPrinter,
  'storageclasses.storage.k8s.io': storageClassPrinter,
  'horizontalpodautoscalers.autoscaling': horizontalPodAutoscalerPrinter,
  'leases.coordination.k8s.io': leasePrinter,
  'roles.rbac.authorization.k8s.io': rolePrinter,
  'clusterroles.rbac.authorization.k8s.io': rolePrinter,
  'rolebindings.rbac.authorization.k8s.io': roleBindingPrinter,
  'clusterrolebindings.rbac.authorization.k8s.io': roleBindingPrinter,
};

/** The printer of a resource, by store key (`pods`, `deployments.apps`) or plain plural (`deployments`). */
export function printerFor(resource: string): Printer {
  const info = resourceByKey(resource) ?? RESOURCES.find((r) => r.plural === resource);
  const key = info ? (info.group ? `${info.plural}.${info.group}` : info.plural) : resource;
  return PRINTERS[key] ?? defaultPrinter;
}

/** The `object` of a row: only what kubectl reads from it (namespace, labels) unless asked for more. */
function rowObject(obj: KubeObject, includeObject: IncludeObject): KubeObject | undefined {
  if (includeObject === 'None') return undefined;
  if (includeObject === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toTable(resource: string, objects: KubeObject[], options: TableOptions): Table {
  const printer = printerFor(resource);
  const rows = objects.map((obj): TableRow => {
    const conditions = printer.conditions?.(obj);
    const object = rowObject(obj, options.includeObject);
    return { cells: printer.cells(obj, options.now), ...(conditions ? { conditions } : {}), ...(object ? { object } : {}) };
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: options.resourceVersion ? { resourceVersion: options.resourceVersion } : {},
    columnDefinitions: options.noHeaders ? [] : printer.columns,
    rows,
  };
}
