// Rows of the workload controllers: how many replicas are wanted, exist and are ready.
// READY of a Deployment is `readyReplicas/spec.replicas`; ReplicaSets and ReplicationControllers
// show DESIRED, CURRENT and READY as numbers (Kubernetes' printDeployment / printReplicaSet).

import type { ControllerRevision, DaemonSet, Deployment, KubeObject, ReplicaSet, ReplicationController, StatefulSet } from '../api/types.js';
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

// DaemonSets count nodes, not replicas (Kubernetes' printDaemonSet).
export const daemonSetPrinter: Printer = {
  columns: [
    nameColumn,
    column('Desired', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).', { type: 'integer' }),
    column('Current', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', { type: 'integer' }),
    column('Ready', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.', { type: 'integer' }),
    column('Up-to-date', 'The total number of nodes that are running updated daemon pod', { type: 'integer' }),
    column('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', { type: 'integer' }),
    column('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
  cells(obj: KubeObject, now: Date) {
    const ds = obj as DaemonSet;
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    return [
      ds.metadata.name ?? '',
      ds.status?.desiredNumberScheduled ?? 0,
      ds.status?.currentNumberScheduled ?? 0,
      ds.status?.numberReady ?? 0,
      ds.status?.updatedNumberScheduled ?? 0,
      ds.status?.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      ageOf(ds.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

// StatefulSets show READY as ready/desired (Kubernetes' printStatefulSet); -o wide adds containers and images.
export const statefulSetPrinter: Printer = {
  columns: [
    nameColumn,
    column('Ready', 'Number of the pod with ready state'),
    ageColumn,
    containersColumn,
    imagesColumn,
  ],
  cells(obj: KubeObject, now: Date) {
    const sts = obj as StatefulSet;
    const [names, images] = containerCells(sts.spec?.template?.spec?.containers);
    return [sts.metadata.name ?? '', `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 0}`, ageOf(sts.metadata.creationTimestamp, now), names, images];
  },
};

/** CONTROLLER is `daemonset.apps/NAME` (the lower-cased GroupKind of its controller), REVISION its number. */
export const controllerRevisionPrinter: Printer = {
  columns: [
    nameColumn,
    column('Controller', 'Controller of the object'),
    column('Revision', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn,
  ],
  cells(obj: KubeObject, now: Date) {
    const revision = obj as ControllerRevision;
    const ref = revision.metadata.ownerReferences?.find((o) => o.controller);
    const group = ref?.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
    const controller = ref ? `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}` : '<none>';
    return [revision.metadata.name ?? '', controller, revision.revision ?? 0, ageOf(revision.metadata.creationTimestamp, now)];
  },
};
