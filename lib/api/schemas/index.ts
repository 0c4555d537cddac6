// Every served kind's schema, by the store key of its resource (`pods`, `deployments.apps`).
// A kind in lib/api/resources.ts without an entry here fails the unit test that walks them
// (test/unit/schemas.test.ts): adding a kind means adding its schema (README.md beside this file).

import { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from './apps.js';
import { HorizontalPodAutoscaler, HorizontalPodAutoscalerV1 } from './autoscaling.js';
import { CronJob, Job } from './batch.js';
import { TokenRequest } from './authentication.js';
import { ConfigMap, Endpoints, Event, Namespace, Node, Pod, ReplicationController, Secret, Service, ServiceAccount } from './core.js';
import { Lease } from './coordination.js';
import { PersistentVolume, PersistentVolumeClaim, StorageClass } from './storage.js';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from './rbac.js';
import type { Definition, FieldType, KindSchema } from './schema.js';

export const KIND_SCHEMAS: Readonly<Record<string, KindSchema>> = {
  namespaces: Namespace,
  nodes: Node,
  pods: Pod,
  secrets: Secret,
  configmaps: ConfigMap,
  serviceaccounts: ServiceAccount,
  events: Event,
  services: Service,
  endpoints: Endpoints,
  replicationcontrollers: ReplicationController,
  'deployments.apps': Deployment,
  'replicasets.apps': ReplicaSet,
  'daemonsets.apps': DaemonSet,
  'statefulsets.apps': StatefulSet,
  'controllerrevisions.apps': ControllerRevision,
  'jobs.batch': Job,
  'cronjobs.batch': CronJob,
  persistentvolumes: PersistentVolume,
  persistentvolumeclaims: PersistentVolumeClaim,
  'storageclasses.storage.k8s.io': StorageClass,
  'horizontalpodautoscalers.autoscaling': HorizontalPodAutoscaler,
  'leases.coordination.k8s.io': Lease,
  'roles.rbac.authorization.k8s.io': Role,
  'clusterroles.rbac.authorization.k8s.io': ClusterRole,
  'rolebindings.rbac.authorization.k8s.io': RoleBinding,
  'clusterrolebindings.rbac.authorization.k8s.io': ClusterRoleBinding,
};

/**
 * Kinds served in a second version that is converted, never stored (autoscaling/v1
 * HorizontalPodAutoscaler): their schemas check and decode the requests of that version.
 */
export const CONVERTED_VERSION_SCHEMAS: readonly KindSchema[] = [HorizontalPodAutoscalerV1];

/**
 * Kinds that are only ever request bodies of a subresource, never stored (a TokenRequest POSTed
 * to serviceaccounts/NAME/token): protobuf decoding knows them.
 */
export const REQUEST_ONLY_SCHEMAS: readonly KindSchema[] = [TokenRequest];

/** The schema of a resource as served in one group/version (the stored one unless converted). */
export function kindSchemaForVersion(resource: string, version: string): KindSchema | undefined {
  return CONVERTED_VERSION_SCHEMAS.find((kind) => kindSchemaOf(resource)?.kind === kind.kind && kindSchemaOf(resource)?.group === kind.group && kind.version === version) ?? kindSchemaOf(resource);
}

/** The schema of a resource (store key), or undefined for a resource without one. */
export function kindSchemaOf(resource: string): KindSchema | undefined {
  return Object.prototype.hasOwnProperty.call(KIND_SCHEMAS, resource) ? KIND_SCHEMAS[resource] : undefined;
}

/** Every Definition reachable from `roots`, each once, by name (a name used twice for different fields is a bug). */
export function definitionsOf(roots: readonly Definition[]): Map<string, Definition> {
  const seen = new Map<string, Definition>();
  const visit = (def: Definition): void => {
    const known = seen.get(def.name);
    if (known) {
      if (known !== def && JSON.stringify(Object.keys(known.fields)) !== JSON.stringify(Object.keys(def.fields))) {
        throw new Error(`two different schema definitions are named ${def.name}`);
      }
      return;
    }
    seen.set(def.name, def);
    for (const field of Object.values(def.fields)) visitType(field);
  };
  const visitType = (t: FieldType): void => {
    if (t.type === 'object') visit(t.of);
    else if (t.type === 'list') visitType(t.items);
    else if (t.type === 'map') visitType(t.values);
  };
  roots.forEach(visit);
  return seen;
}
