// The Node authorizer: what a node's credentials may do (Kubernetes' Node authorizer and
// NodeRestriction admission plugin, folded into one and simplified).
//
// A worker node's agent holds a token for user `system:node:<name>` in group `system:nodes`.
// Whoever takes over that host takes over the token, so it must not open the whole cluster:
// a kubelet only needs to read the cluster's shape, report about itself, and read the Secrets
// and ConfigMaps of the pods it runs. So, for nodes:
//
//   read     nodes, pods, services, endpoints, namespaces, events, persistentvolumes,
//            persistentvolumeclaims, storageclasses (and their /status)
//   write    its own Node and its status (create, update, patch); never another node's
//            the status of pods bound to it, and deleting them (the end of a graceful deletion)
//            events (create, update, patch)
//            its own Lease in kube-node-lease (its heartbeat: get, create, update, patch, delete)
//   secrets, configmaps   `get` of one object that a pod bound to this node references (volume,
//            env valueFrom, envFrom, imagePullSecrets): "no relationship found" otherwise;
//            never list or watch
//   serviceaccounts/token   `create` of a token bound to a pod bound to this node that runs as
//            that account (the kubelet's projected token volumes); nothing else
//   persistentvolumes   `delete` of a kubelab.io/local-path volume whose node affinity names this
//            node (it removed the volume's directory first: Delete reclaim happens on the node)
//   the gossip keyring   `get` (GET /kubelab/v1/gossip-keyring, to follow a rotation); never rotate it
//   anything else (exec into pods, create pods, delete nodes, other paths)   forbidden
//
// Everyone else is not this authorizer's business: the admin (system:masters) is unrestricted,
// and kubelab has no RBAC for other users. The decision is a pure function of the request and the
// facts it needs (the pod it names, the pods bound to the node); NodeAuthorizer only loads those
// facts from the registry. Refusals use kube-apiserver's wording, because users search for it:
//
//   secrets "db-secrets" is forbidden: User "system:node:node2" cannot get resource "secrets"
//   in API group "" in the namespace "default": no relationship found between node 'node2' and this object

import { NODE_LEASE_NAMESPACE } from '../../lib/api/coordination-types.js';
import type { KubeObject, Pod } from '../../lib/api/types.js';
import { ApiError, isNotFound } from '../../lib/errors.js';
import type { PersistentVolume } from '../../lib/api/storage-types.js';
import { LOCAL_PATH_PROVISIONER, PROVISIONED_BY_ANNOTATION } from '../../lib/storage/storage-names.js';
import { hostnameOfAffinity } from '../../lib/storage/volume-node-affinity.js';
import type { Authorizer, RequestAttributes, UserInfo } from './auth.js';
import { internalContext, type Registry } from './registry.js';
import { GOSSIP_KEYRING_PATH } from './gossip-keyring.js';

export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';

/** The node a user is, when it is a node (`system:node:<name>` in `system:nodes`). */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.groups.includes(NODES_GROUP) || !user.name.startsWith(NODE_USER_PREFIX)) return undefined;
  const name = user.name.slice(NODE_USER_PREFIX.length);
  return name === '' ? undefined : name;
}

/** What the decision may need to know beyond the request itself. */
export interface NodeFacts {
  /** The pod the request names (pod status writes and deletes); undefined when it does not exist. */
  pod?: Pod;
  /** The pods in the request's namespace bound to this node (secret and configmap reads). */
  podsOnNode?: Pod[];
  /** The PersistentVolume the request names (volume deletes); undefined when it does not exist. */
  volume?: PersistentVolume;
}

export type Decision = { allowed: true } | { allowed: false; reason?: string };

// Volumes, claims and classes: a kubelet mounts claims and removes the local-path volumes of its node.
const READABLE = new Set(['nodes', 'pods', 'services', 'endpoints', 'namespaces', 'events', 'persistentvolumes', 'persistentvolumeclaims', 'storageclasses.storage.k8s.io']);
const READ_VERBS = new Set(['get', 'list', 'watch']);
const WRITE_VERBS = new Set(['update', 'patch']);
/** Discovery documents every client reads before anything else. */
const DISCOVERY_PATH = /^\/(api|apis|openapi|version)(\/|$)/;

const allow: Decision = { allowed: true };
const deny = (reason?: string): Decision => ({ allowed: false, ...(reason ? { reason } : {}) });
const GENERAL_REASON = 'a node may read the cluster\'s state and write only its own Node, the status of its pods, and events';

/** Which facts `decideNodeAccess` needs for this request. */
export function factsNeededFor(attributes: RequestAttributes): { pod: boolean; podsOnNode: boolean; volume?: boolean } {
  const r = attributes.resource;
  // A node deletes the local-path volumes of its own node once their directory is gone.
  if (r?.key === 'persistentvolumes' && r.name !== undefined && !r.subresource && attributes.verb === 'delete') return { pod: false, podsOnNode: false, volume: true };
  if (!r || r.namespace === undefined || r.name === undefined) return { pod: false, podsOnNode: false };
  const podWrite = r.key === 'pods' && ((r.subresource === 'status' && WRITE_VERBS.has(attributes.verb)) || (!r.subresource && attributes.verb === 'delete'));
  const reference = ((r.key === 'secrets' || r.key === 'configmaps') && !r.subresource && attributes.verb === 'get') || (r.key === 'serviceaccounts' && r.subresource === 'token' && attributes.verb === 'create');
  return { pod: podWrite, podsOnNode: reference };
}

/** May node `nodeName` do this? A pure decision over the request and the facts it needs. */
export function decideNodeAccess(nodeName: string, attributes: RequestAttributes, facts: NodeFacts): Decision {
  const { verb } = attributes;
  const r = attributes.resource;
  if (!r) return verb === 'get' && (DISCOVERY_PATH.test(attributes.path) || attributes.path === GOSSIP_KEYRING_PATH) ? allow : deny();

  if (READ_VERBS.has(verb) && READABLE.has(r.key) && (!r.subresource || r.subresource === 'status')) return allow;

  switch (r.key) {
    case 'nodes':
      return decideOwnNode(nodeName, verb, r.name ?? nameInBody(attributes.body), r.subresource);
    case 'pods':
      return decidePodWrite(nodeName, verb, r.subresource, facts.pod);
    case 'events':
      return !r.subresource && (verb === 'create' || WRITE_VERBS.has(verb)) ? allow : deny(GENERAL_REASON);
    case 'leases.coordination.k8s.io':
      return decideNodeLease(nodeName, verb, r.namespace, r.name ?? nameInBody(attributes.body), r.subresource);
    case 'persistentvolumes':
      return decideVolumeDelete(nodeName, verb, r.subresource, facts.volume);
    case 'serviceaccounts':
      return decideTokenRequest(nodeName, verb, r.name, r.subresource, attributes.body, facts.podsOnNode ?? []);
    case 'secrets':
    case 'configmaps':
      if (verb !== 'get' || r.subresource) return deny('can only get individual resources of this type');
      if (!r.name) return deny('no object name found');
      return (facts.podsOnNode ?? []).some((pod) => podReferences(pod, r.key).has(r.name!))
        ? allow
        : deny(`no relationship found between node '${nodeName}' and this object`);
    default:
      return deny(GENERAL_REASON);
  }
}

/** Its heartbeat: a node reads and writes the Lease named after it in kube-node-lease, and no other (Kubernetes' NodeRestriction). */
function decideNodeLease(nodeName: string, verb: string, namespace: string | undefined, target: string | undefined, subresource: string | undefined): Decision {
  if (namespace !== NODE_LEASE_NAMESPACE || subresource !== undefined || !['get', 'create', 'update', 'patch', 'delete'].includes(verb)) return deny(GENERAL_REASON);
  if (target !== nodeName) return deny('can only access node lease with the same name as the requesting node');
  return allow;
}

/** A node may ask for a token of account `name` only bound to one of its pods that runs as it (Node authorizer plus NodeRestriction). */
function decideTokenRequest(nodeName: string, verb: string, name: string | undefined, subresource: string | undefined, body: unknown, podsOnNode: Pod[]): Decision {
  if (verb !== 'create' || subresource !== 'token' || !name) return deny(GENERAL_REASON);
  const ref = (body as { spec?: { boundObjectRef?: { kind?: string; name?: string; uid?: string } } } | undefined)?.spec?.boundObjectRef;
  if (ref?.kind !== 'Pod' || !ref.name) return deny('node requested token not bound to a pod');
  const pod = podsOnNode.find((p) => p.metadata.name === ref.name && (!ref.uid || p.metadata.uid === ref.uid));
  if (!pod || (pod.spec?.serviceAccountName || 'default') !== name) return deny(`no relationship found between node '${nodeName}' and this object`);
  return allow;
}

function decideOwnNode(nodeName: string, verb: string, target: string | undefined, subresource: string | undefined): Decision {
  const writes = subresource === undefined ? verb === 'create' || WRITE_VERBS.has(verb) : subresource === 'status' && WRITE_VERBS.has(verb);
  if (!writes) return deny(GENERAL_REASON);
  if (target !== nodeName) return deny(`node '${nodeName}' cannot modify node '${target ?? ''}'`);
  return allow;
}

function decidePodWrite(nodeName: string, verb: string, subresource: string | undefined, pod: Pod | undefined): Decision {
  const statusWrite = subresource === 'status' && WRITE_VERBS.has(verb);
  const deletion = subresource === undefined && verb === 'delete';
  if (!statusWrite && !deletion) return deny(GENERAL_REASON);
  // A pod that does not exist is the registry's to report (404), not a secret to keep.
  if (!pod) return allow;
  const boundTo = pod.spec?.nodeName ?? '';
  if (boundTo !== nodeName) {
    const where = boundTo ? `bound to node '${boundTo}'` : 'not bound to any node';
    return deny(`node '${nodeName}' can only ${deletion ? 'delete' : 'update the status of'} pods bound to it; this pod is ${where}`);
  }
  return allow;
}

/** A node may delete a local-path volume that lives on it (its reclaimer has removed the directory), nothing else. */
function decideVolumeDelete(nodeName: string, verb: string, subresource: string | undefined, volume: PersistentVolume | undefined): Decision {
  if (verb !== 'delete' || subresource) return deny(GENERAL_REASON);
  if (!volume) return allow; // a 404 is the registry's to report
  const own = volume.metadata.annotations?.[PROVISIONED_BY_ANNOTATION] === LOCAL_PATH_PROVISIONER && hostnameOfAffinity(volume) === nodeName;
  return own ? allow : deny(`node '${nodeName}' can only delete ${LOCAL_PATH_PROVISIONER} volumes whose node affinity names it`);
}

function nameInBody(body: unknown): string | undefined {
  const name = (body as KubeObject | undefined)?.metadata?.name;
  return typeof name === 'string' ? name : undefined;
}

type Loose = Record<string, unknown>;
const asArray = (value: unknown): Loose[] => (Array.isArray(value) ? (value as Loose[]) : []);

/** The names of the Secrets (`secrets`) or ConfigMaps (`configmaps`) a pod refers to. */
export function podReferences(pod: Pod, kind: 'secrets' | 'configmaps' | string): Set<string> {
  const names = new Set<string>();
  const add = (name: unknown) => typeof name === 'string' && name !== '' && names.add(name);
  const spec = (pod.spec ?? {}) as Loose;
  const secrets = kind === 'secrets';
  for (const volume of asArray(spec.volumes)) {
    if (secrets) add((volume.secret as Loose | undefined)?.secretName);
    else add((volume.configMap as Loose | undefined)?.name);
    for (const source of asArray((volume.projected as Loose | undefined)?.sources)) {
      add(((secrets ? source.secret : source.configMap) as Loose | undefined)?.name);
    }
  }
  const containers = [...asArray(spec.initContainers), ...asArray(spec.containers), ...asArray(spec.ephemeralContainers)];
  for (const container of containers) {
    for (const env of asArray(container.env)) {
      const from = env.valueFrom as Loose | undefined;
      add(((secrets ? from?.secretKeyRef : from?.configMapKeyRef) as Loose | undefined)?.name);
    }
    for (const source of asArray(container.envFrom)) add(((secrets ? source.secretRef : source.configMapRef) as Loose | undefined)?.name);
  }
  if (secrets) for (const ref of asArray(spec.imagePullSecrets)) add(ref.name);
  return names;
}

/**
 * kube-apiserver's Forbidden message: `<resource> "<name>" is forbidden: User "<user>" cannot
 * <verb> resource "<resource>[/<subresource>]" in API group "<group>" in the namespace "<ns>": <reason>`.
 */
export function forbiddenError(user: UserInfo, attributes: RequestAttributes, reason?: string): ApiError {
  const r = attributes.resource;
  const why = reason ? `: ${reason}` : '';
  if (!r) {
    return new ApiError(403, 'Forbidden', `forbidden: User "${user.name}" cannot ${attributes.verb} path "${attributes.path}"${why}`, {});
  }
  const qualified = r.group ? `${r.plural}.${r.group}` : r.plural;
  const subject = r.name ? `${qualified} "${r.name}"` : qualified;
  const resource = r.subresource ? `${r.plural}/${r.subresource}` : r.plural;
  const scope = r.namespace !== undefined ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
  return new ApiError(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user.name}" cannot ${attributes.verb} resource "${resource}" in API group "${r.group}" ${scope}${why}`,
    { ...(r.name ? { name: r.name } : {}), group: r.group, kind: r.plural },
  );
}

/** The Authorizer the API server asks: nodes get decideNodeAccess, everyone else passes. */
export class NodeAuthorizer implements Authorizer {
  constructor(private readonly registry: Registry) {}

  async authorize(user: UserInfo, attributes: RequestAttributes): Promise<void> {
    const nodeName = nodeNameOf(user);
    if (nodeName === undefined) return;
    const decision = decideNodeAccess(nodeName, attributes, await this.loadFacts(nodeName, attributes));
    if (!decision.allowed) throw forbiddenError(user, attributes, decision.reason);
  }

  private async loadFacts(nodeName: string, attributes: RequestAttributes): Promise<NodeFacts> {
    const needed = factsNeededFor(attributes);
    const r = attributes.resource;
    const facts: NodeFacts = {};
    if (needed.pod && r?.name) {
      facts.pod = (await this.registry.get('pods', r.namespace, r.name, internalContext()).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      })) as Pod | undefined;
    }
    if (needed.volume && r?.name) {
      facts.volume = (await this.registry.get('persistentvolumes', undefined, r.name, internalContext()).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      })) as PersistentVolume | undefined;
    }
    if (needed.podsOnNode && r?.namespace !== undefined) {
      const pods = await this.registry.list('pods', { namespace: r.namespace }, internalContext());
      facts.podsOnNode = (pods.items as Pod[]).filter((pod) => pod.spec?.nodeName === nodeName);
    }
    return facts;
  }
}
