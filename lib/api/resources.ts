// The table of API resources kubelab serves: what the API server publishes in discovery, what the
// CLI resolves `kubelab get po` against, and the key under which the store keeps each kind.
//
// This is Kubernetes' RESTMapper reduced to a list: group/version, plural resource name, Kind,
// scope, short names and the `all` category (what `get all` shows).

export interface SubresourceInfo {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

export interface ResourceInfo {
  /** '' for the core ("legacy") group served under /api/v1. */
  group: string;
  version: string;
  /** Plural, lower-case: the URL segment (`pods`, `deployments`). */
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: SubresourceInfo[];
}

const crud = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const statusOf = (kind: string, group = ''): SubresourceInfo => ({
  name: 'status',
  kind,
  ...(group ? { group } : {}),
  verbs: ['get', 'patch', 'update'],
});
const scale: SubresourceInfo = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };

export const RESOURCES: readonly ResourceInfo[] = [
  {
    group: '', version: 'v1', plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false,
    shortNames: ['ns'], categories: [], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [statusOf('Namespace'), { name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
  },
  {
    group: '', version: 'v1', plural: 'nodes', singular: 'node', kind: 'Node', namespaced: false,
    shortNames: ['no'], categories: [], verbs: crud, subresources: [statusOf('Node')],
  },
  {
    group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true,
    shortNames: ['po'], categories: ['all'], verbs: crud,
    subresources: [
      statusOf('Pod'),
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      // kubectl debug adds a container to a running pod through this (a Pod in, a Pod out).
      { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
      // kubectl drain looks for exactly this entry (with its group and version) before evicting.
      { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
    ],
  },
  {
    group: '', version: 'v1', plural: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true,
    shortNames: [], categories: [], verbs: crud, subresources: [],
  },
  {
    group: '', version: 'v1', plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true,
    shortNames: ['cm'], categories: [], verbs: crud, subresources: [],
  },
  {
    // The token subresource answers a TokenRequest (authentication.k8s.io/v1): `kubectl create token`.
    group: '', version: 'v1', plural: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', namespaced: true,
    shortNames: ['sa'], categories: [], verbs: crud,
    subresources: [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }],
  },
  {
    group: '', version: 'v1', plural: 'events', singular: 'event', kind: 'Event', namespaced: true,
    shortNames: ['ev'], categories: [], verbs: crud, subresources: [],
  },
  {
    group: '', version: 'v1', plural: 'services', singular: 'service', kind: 'Service', namespaced: true,
    shortNames: ['svc'], categories: ['all'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [statusOf('Service')],
  },
  {
    group: '', version: 'v1', plural: 'endpoints', singular: 'endpoints', kind: 'Endpoints', namespaced: true,
    shortNames: ['ep'], categories: [], verbs: crud, subresources: [],
  },
  {
    group: '', version: 'v1', plural: 'replicationcontrollers', singular: 'replicationcontroller', kind: 'ReplicationController',
    namespaced: true, shortNames: ['rc'], categories: ['all'], verbs: crud,
    subresources: [scale, statusOf('ReplicationController')],
  },
  {
    group: 'apps', version: 'v1', plural: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true,
    shortNames: ['deploy'], categories: ['all'], verbs: crud, subresources: [scale, statusOf('Deployment', 'apps')],
  },
  {
    group: 'apps', version: 'v1', plural: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', namespaced: true,
    shortNames: ['rs'], categories: ['all'], verbs: crud, subresources: [scale, statusOf('ReplicaSet', 'apps')],
  },
  {
    group: 'batch', version: 'v1', plural: 'jobs', singular: 'job', kind: 'Job', namespaced: true,
    shortNames: [], categories: ['all'], verbs: crud, subresources: [statusOf('Job', 'batch')],
  },
  {
    group: 'batch', version: 'v1', plural: 'cronjobs', singular: 'cronjob', kind: 'CronJob', namespaced: true,
    shortNames: ['cj'], categories: ['all'], verbs: crud, subresources: [statusOf('CronJob', 'batch')],
  },
  {
    group: 'apps', version: 'v1', plural: 'daemonsets', singular: 'daemonset', kind: 'DaemonSet', namespaced: true,
    shortNames: ['ds'], categories: ['all'], verbs: crud, subresources: [statusOf('DaemonSet', 'apps')],
  },
  {
    group: 'apps', version: 'v1', plural: 'statefulsets', singular: 'statefulset', kind: 'StatefulSet', namespaced: true,
    shortNames: ['sts'], categories: ['all'], verbs: crud, subresources: [scale, statusOf('StatefulSet', 'apps')],
  },
  {
    // A DaemonSet's or StatefulSet's template history: `kubectl rollout history|undo ds/NAME` read these.
    group: 'apps', version: 'v1', plural: 'controllerrevisions', singular: 'controllerrevision', kind: 'ControllerRevision', namespaced: true,
    shortNames: [], categories: [], verbs: crud, subresources: [],
  },
  // Storage that outlives pods (issue 16): a claim (namespaced) is bound to a volume (cluster-wide);
  // a StorageClass says who makes volumes for claims that name it.
  {
    group: '', version: 'v1', plural: 'persistentvolumes', singular: 'persistentvolume', kind: 'PersistentVolume', namespaced: false,
    shortNames: ['pv'], categories: [], verbs: crud, subresources: [statusOf('PersistentVolume')],
  },
  {
    group: '', version: 'v1', plural: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', kind: 'PersistentVolumeClaim', namespaced: true,
    shortNames: ['pvc'], categories: [], verbs: crud, subresources: [statusOf('PersistentVolumeClaim')],
  },
  {
    group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', singular: 'storageclass', kind: 'StorageClass', namespaced: false,
    shortNames: ['sc'], categories: [], verbs: crud, subresources: [],
  },
  // Leases (issue 17): leader election of the scheduler and the controller manager in kube-system,
  // node heartbeats in kube-node-lease.
  {
    group: 'coordination.k8s.io', version: 'v1', plural: 'leases', singular: 'lease', kind: 'Lease', namespaced: true,
    shortNames: [], categories: [], verbs: crud, subresources: [],
  },
  {
    // autoscaling/v2 is stored and preferred; autoscaling/v1 (next) is the same objects converted.
    group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', kind: 'HorizontalPodAutoscaler',
    namespaced: true, shortNames: ['hpa'], categories: ['all'], verbs: crud, subresources: [statusOf('HorizontalPodAutoscaler', 'autoscaling')],
  },
  {
    // Same store key as v2 (resourceByKey finds v2 first); daemon/api/converting-registry.ts converts.
    // No `all` category here, so `get all` lists each HPA once (kubectl uses the preferred version).
    group: 'autoscaling', version: 'v1', plural: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', kind: 'HorizontalPodAutoscaler',
    namespaced: true, shortNames: ['hpa'], categories: [], verbs: crud, subresources: [statusOf('HorizontalPodAutoscaler', 'autoscaling')],
  },
  // Who may do what (rbac.authorization.k8s.io/v1): lib/rbac/, daemon/api/rbac-authorizer.ts.
  {
    group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', singular: 'role', kind: 'Role', namespaced: true,
    shortNames: [], categories: [], verbs: crud, subresources: [],
  },
  {
    group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', singular: 'clusterrole', kind: 'ClusterRole', namespaced: false,
    shortNames: [], categories: [], verbs: crud, subresources: [],
  },
  {
    group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', singular: 'rolebinding', kind: 'RoleBinding', namespaced: true,
    shortNames: [], categories: [], verbs: crud, subresources: [],
  },
  {
    group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings', singular: 'clusterrolebinding', kind: 'ClusterRoleBinding', namespaced: false,
    shortNames: [], categories: [], verbs: crud, subresources: [],
  },
];

/** `v1` for the core group, `apps/v1` otherwise: the apiVersion field of objects of this resource. */
export function apiVersionOf(info: ResourceInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/**
 * The key the store files objects of this resource under, and the name used in messages:
 * `pods`, `deployments.apps` (Kubernetes' "resource.group" form, as in `deployments.apps "x" not found`).
 */
export function resourceKey(info: ResourceInfo): string {
  return info.group ? `${info.plural}.${info.group}` : info.plural;
}

export function resourceByKey(key: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => resourceKey(r) === key);
}

/** The resource of an object given its apiVersion and kind, e.g. ('apps/v1', 'Deployment'). */
export function resourceForKind(apiVersion: string | undefined, kind: string | undefined): ResourceInfo | undefined {
  if (!kind) return undefined;
  return RESOURCES.find((r) => r.kind === kind && (apiVersion === undefined || apiVersionOf(r) === apiVersion));
}

/** The resource of a URL path segment: group, version and plural. */
export function resourceForPath(group: string, version: string, plural: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/**
 * What a user typed on the command line: `po`, `pod`, `pods`, `Pod`, `deploy`, `deployments.apps`,
 * `deployment.apps`. Case-insensitive, as kubectl is.
 */
export function resolveResourceName(typed: string): ResourceInfo | undefined {
  const name = typed.toLowerCase();
  const [base, ...groupParts] = name.split('.');
  const group = groupParts.join('.');
  return RESOURCES.find(
    (r) =>
      (group === '' || r.group === group) &&
      (r.plural === base || r.singular === base || r.kind.toLowerCase() === base || r.shortNames.includes(base)),
  );
}

/** The group/versions served, in the order discovery lists them (core first). */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}
