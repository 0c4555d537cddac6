// The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount): what a pod gets from
// its service account when it is created.
//
// 1. spec.serviceAccountName defaults to `default` (defaulting already did it).
// 2. The account must exist in the pod's namespace, or the create is refused, in
//    kube-apiserver's words:
//      pods "web" is forbidden: error looking up service account default/robot: serviceaccount "robot" not found
// 3. Unless the pod or the account says automountServiceAccountToken: false (the pod's word
//    wins), the pod gets a projected volume `kube-api-access-<5 random>` mounted read-only at
//    /var/run/secrets/kubernetes.io/serviceaccount in every container (and init container)
//    that has no mount there yet: a token of its account (bound to the pod, requested by the
//    kubelet: daemon/kubelet/volumes.ts), the cluster CA (the kube-root-ca.crt ConfigMap) and
//    the pod's namespace. That is all an in-cluster client needs.
//
// The `default` account is made by a controller right after its namespace: a pod created in the
// same breath as its namespace may come first. kube-apiserver refuses it (its clients retry);
// kubelab looks again for a moment before refusing, since a lab script rarely retries.

import type { Container, Pod, Volume } from '../../lib/api/types.js';
import type { ServiceAccount } from '../../lib/api/service-account-types.js';
import { ApiError } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';

export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const SERVICE_ACCOUNT_VOLUME_PREFIX = 'kube-api-access-';
/** The kubelet's token lifetime (3600 s plus 7, Kubernetes' marker of an admission-made volume). */
export const PROJECTED_TOKEN_EXPIRATION_SECONDS = 3607;
const DEFAULT_SERVICE_ACCOUNT = 'default';
const WAIT_FOR_DEFAULT_MS = 2000;
const POLL_MS = 50;

/** The pod's service account name, as admission sees it. */
export const serviceAccountNameOf = (pod: Pod): string => pod.spec.serviceAccountName || (pod.spec.serviceAccount as string | undefined) || DEFAULT_SERVICE_ACCOUNT;

/** Whether `pod` gets a token: the pod's setting, else the account's, else yes. */
export function shouldAutomount(pod: Pod, account: ServiceAccount): boolean {
  return (pod.spec.automountServiceAccountToken as boolean | undefined) ?? account.automountServiceAccountToken ?? true;
}

/** The projected volume admission adds, as Kubernetes writes it. */
export function serviceAccountVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: PROJECTED_TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/**
 * The pod as admission leaves it (pure, changes `pod`): its account name set and, when it
 * automounts, the token volume and its mounts. `suffix` is the volume name's random part.
 */
export function admitPodServiceAccount(pod: Pod, account: ServiceAccount, suffix: string): Pod {
  pod.spec.serviceAccountName = serviceAccountNameOf(pod);
  if (!shouldAutomount(pod, account)) return pod;
  const volumes = pod.spec.volumes ?? [];
  const existing = volumes.find((v) => v.name.startsWith(SERVICE_ACCOUNT_VOLUME_PREFIX));
  const volumeName = existing?.name ?? `${SERVICE_ACCOUNT_VOLUME_PREFIX}${suffix}`;
  let needed = false;
  const mount = (container: Container) => {
    // A mount of the user's own at that path takes precedence.
    if ((container.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) return;
    container.volumeMounts = [...(container.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
    needed = true;
  };
  (pod.spec.initContainers ?? []).forEach(mount);
  pod.spec.containers.forEach(mount);
  if (needed && !existing) pod.spec.volumes = [...volumes, serviceAccountVolume(volumeName)];
  return pod;
}

/** kube-apiserver's refusal of a pod whose account does not exist. */
export function missingServiceAccountError(pod: Pod, namespace: string, accountName: string): ApiError {
  const name = pod.metadata.name;
  const subject = name ? `pods "${name}"` : 'pods';
  return new ApiError(403, 'Forbidden', `${subject} is forbidden: error looking up service account ${namespace}/${accountName}: serviceaccount "${accountName}" not found`, {
    ...(name ? { name } : {}),
    kind: 'pods',
  });
}

export interface ServiceAccountAdmissionDeps {
  /** The account, or undefined when it does not exist. */
  getServiceAccount(namespace: string, name: string): Promise<ServiceAccount | undefined>;
  clock: Clock;
  /** The volume name's random suffix (5 characters of the generateName alphabet). */
  suffix(): string;
}

/** Runs the plugin on a pod being created; throws the 403 when its account is missing. */
export async function admitPod(pod: Pod, deps: ServiceAccountAdmissionDeps): Promise<void> {
  // A static pod's mirror is the kubelet's record of what it runs: admission leaves it alone.
  if (pod.metadata.annotations?.['kubernetes.io/config.mirror']) return;
  const namespace = pod.metadata.namespace!;
  const accountName = serviceAccountNameOf(pod);
  let account = await deps.getServiceAccount(namespace, accountName);
  if (!account && accountName === DEFAULT_SERVICE_ACCOUNT) {
    const deadline = deps.clock.now().getTime() + WAIT_FOR_DEFAULT_MS;
    while (!account && deps.clock.now().getTime() < deadline) {
      await deps.clock.sleep(POLL_MS);
      account = await deps.getServiceAccount(namespace, accountName);
    }
  }
  if (!account) throw missingServiceAccountError(pod, namespace, accountName);
  admitPodServiceAccount(pod, account, deps.suffix());
}
