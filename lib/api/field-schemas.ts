// The JSON types of the fields kubelab's own components read, per kind: what a Go struct tag
// would enforce in Kubernetes. Hand-written and partial on purpose: they cover the fields whose
// wrong type broke a component or let a controller run away (issue 12: `ports: "80"` stopped
// the scheduler, `replicas: 2147483648` created 11,013 pods). The generated schema per kind will
// replace this file; field-types.ts explains the format.

import { booleanType, checkFieldTypes, int32, listOf, objectWith, stringList, stringMap, stringType, type FieldSchema } from './field-types.js';
import type { FieldError } from '../errors.js';

const container = objectWith({
  name: stringType,
  image: stringType,
  command: stringList,
  args: stringList,
  workingDir: stringType,
  env: listOf(objectWith({ name: stringType, value: stringType, valueFrom: objectWith() })),
  envFrom: listOf(objectWith()),
  ports: listOf(objectWith({ name: stringType, containerPort: int32, hostPort: int32, protocol: stringType, hostIP: stringType })),
  volumeMounts: listOf(objectWith({ name: stringType, mountPath: stringType, subPath: stringType, readOnly: booleanType })),
  // Quantities are int-or-string (`cpu: 1`, `memory: 64Mi`): only the maps are typed here.
  resources: objectWith({ limits: objectWith(), requests: objectWith() }),
  livenessProbe: objectWith(),
  readinessProbe: objectWith(),
  startupProbe: objectWith(),
});

const podSpec = objectWith({
  containers: listOf(container),
  initContainers: listOf(container),
  volumes: listOf(objectWith({ name: stringType })),
  nodeName: stringType,
  nodeSelector: stringMap,
  tolerations: listOf(objectWith()),
  restartPolicy: stringType,
});

const podTemplate = objectWith({ metadata: objectWith({ labels: stringMap, annotations: stringMap }), spec: podSpec });

/** ReplicationController: `selector` is a plain label map. */
const replicationControllerSpec = objectWith({ replicas: int32, minReadySeconds: int32, selector: stringMap, template: podTemplate });

/** ReplicaSet and Deployment: `selector` is a LabelSelector. */
const labelSelector = objectWith({ matchLabels: stringMap, matchExpressions: listOf(objectWith({ key: stringType, operator: stringType, values: stringList })) });
const appsWorkloadSpec = objectWith({ replicas: int32, minReadySeconds: int32, selector: labelSelector, template: podTemplate });

// DaemonSet and ControllerRevision (issue 15). maxUnavailable and maxSurge are int-or-string:
// validate-daemonset.ts checks them.
const daemonSetSpec = objectWith({
  minReadySeconds: int32,
  revisionHistoryLimit: int32,
  selector: labelSelector,
  template: podTemplate,
  updateStrategy: objectWith({ type: stringType, rollingUpdate: objectWith() }),
});

const metadata = objectWith({ name: stringType, generateName: stringType, namespace: stringType, labels: stringMap, annotations: stringMap, finalizers: stringList });

const SCHEMAS: Record<string, FieldSchema> = {
  pods: objectWith({ spec: podSpec }),
  replicationcontrollers: objectWith({ spec: replicationControllerSpec }),
  'replicasets.apps': objectWith({ spec: appsWorkloadSpec }),
  'deployments.apps': objectWith({ spec: appsWorkloadSpec }),
  'daemonsets.apps': objectWith({ spec: daemonSetSpec }),
  'controllerrevisions.apps': objectWith({ revision: { type: 'integer' } }),
  secrets: objectWith({ data: stringMap, stringData: stringMap, type: stringType }),
  configmaps: objectWith({ data: stringMap, binaryData: stringMap }),
};

/** Every field of `obj` (a `resource`, store key) whose JSON type is wrong, with its field path. */
export function validateFieldTypes(resource: string, obj: unknown): FieldError[] {
  const errors = checkFieldTypes(obj, objectWith({ metadata }));
  const schema = SCHEMAS[resource];
  return schema ? [...errors, ...checkFieldTypes(obj, schema)] : errors;
}
