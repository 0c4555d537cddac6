// Rows of the workload controllers: how many replicas are wanted, exist and are ready.
// READY of a Deployment is `readyReplicas/spec.replicas`; ReplicaSets and ReplicationControllers
// show DESIRED, CURRENT and READY as numbers (Kubernetes' printDeployment / printReplicaSet).

import type { Deployment, KubeObject, ReplicaSet, ReplicationController } from '../api/types.js';
import { ageOf } from '../time.js';
import { ageColumn, column, containerCells, formatLabels, formatLabelSelector, labelSelectorString, nameColumn, type Printer } from './printer.js';

const containersColumn = column('Containers', 'Names of each container in the template.', { wide: true });
const imagesColumn = column('Images', 'Images referenced by each container in the template.', { wide: true });
const selectorColumn = column('Selector', 'Label selector for pods. Existing pods whose labels match it are counted as replicas.', { wide: true });

const replicaColumns = [
  nameColumn,
  column('Desired', 'Number of desired pods.', { type: 'integer' }),
  column('Current', 'The number of pods the controller has created (actual replicas).', { type: 'integer' }),
  column('Ready', 'The number of ready replicas.', { type: 'integer' }),
  ageColumn,
  containersColumn,
  imagesColumn,
  selectorColumn,
];

export const replicaSetPrinter: Printer = {
  columns: replicaColumns,
  cells(obj: KubeObject, now: Date) {
    const rs = obj as ReplicaSet;
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata.name ?? '',
      rs.spec?.replicas ?? 0,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      ageOf(rs.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};

export const replicationControllerPrinter: Printer = {
  columns: replicaColumns,
  cells(obj: KubeObject, now: Date) {
    const rc = obj as ReplicationController;
    const [names, images] = containerCells(rc.spec?.template?.spec?.containers);
    return [
      rc.metadata.name ?? '',
      rc.spec?.replicas ?? 0,
      rc.status?.replicas ?? 0,
      rc.status?.readyReplicas ?? 0,
      ageOf(rc.metadata.creationTimestamp, now),
      names,
      images,
      formatLabels(rc.spec?.selector),
    ];
  },
};

export const deploymentPrinter: Printer = {
  columns: [
    nameColumn,
    column('Ready', 'Number of the pod with ready state'),
    column('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', { type: 'integer' }),
    column('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', { type: 'integer' }),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  cells(obj: KubeObject, now: Date) {
    const deployment = obj as Deployment;
    const [names, images] = containerCells(deployment.spec?.template?.spec?.containers);
    return [
      deployment.metadata.name ?? '',
      `${deployment.status?.readyReplicas ?? 0}/${deployment.spec?.replicas ?? 0}`,
      deployment.status?.updatedReplicas ?? 0,
      deployment.status?.availableReplicas ?? 0,
      ageOf(deployment.metadata.creationTimestamp, now),
      names,
      images,
      // Deployments print the selector without the `<none>` placeholder, as Kubernetes does.
      labelSelectorString(deployment.spec?.selector),
    ];
  },
};
