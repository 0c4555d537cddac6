// A container's securityContext, decided purely: what the kubelet asks of the engine (the CRI's
// LinuxContainerSecurityContext, built by kuberuntime's determineEffectiveSecurityContext) and
// the runAsNonRoot check the kubelet makes before it creates a container (verifyRunAsNonRoot).
//
// - The container's own securityContext wins over the pod's for the fields both have
//   (runAsUser, runAsGroup, runAsNonRoot, seccompProfile, appArmorProfile).
// - The user is `runAsUser[:runAsGroup]`; with only runAsGroup, the image's user keeps its name or
//   uid and takes that group.
// - supplementalGroups and fsGroup become supplementary groups of the process, so files of a
//   volume owned by fsGroup (volumes.ts applies it) are the process's to read and write.
// - allowPrivilegeEscalation: false sets no_new_privs: a setuid binary cannot raise the
//   process's privileges. Kubernetes leaves it off otherwise.
// - runAsNonRoot: true refuses to run a container whose user would be root: an explicit
//   runAsUser 0, an image without a USER (root by default) or with USER 0, or an image whose user
//   is a name (the kubelet cannot know which uid it maps to). The pod waits with
//   CreateContainerConfigError and the kubelet's message.

import type { Container, Pod } from '../../lib/api/types.js';
import type { ContainerSecurity } from '../runtime/container-runtime.js';
import { ContainerConfigError } from './volumes.js';

const describePod = (pod: Pod) => `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;

/** The engine's security options for this container of this pod. */
export function containerSecurity(pod: Pod, container: Container, imageUser: string): ContainerSecurity {
  const podContext = pod.spec.securityContext ?? {};
  const own = container.securityContext ?? {};
  const runAsUser = own.runAsUser ?? podContext.runAsUser;
  const runAsGroup = own.runAsGroup ?? podContext.runAsGroup;
  const security: ContainerSecurity = {};
  if (runAsUser !== undefined) security.user = runAsGroup !== undefined ? `${runAsUser}:${runAsGroup}` : String(runAsUser);
  else if (runAsGroup !== undefined) security.user = `${imageUser.split(':')[0] || '0'}:${runAsGroup}`;
  const groups = [...(podContext.supplementalGroups ?? []), ...(podContext.fsGroup !== undefined ? [podContext.fsGroup] : [])];
  if (groups.length > 0) security.groupAdd = [...new Set(groups)];
  if (own.readOnlyRootFilesystem) security.readOnlyRootFilesystem = true;
  if (own.privileged) security.privileged = true;
  if (own.capabilities?.add?.length) security.capAdd = own.capabilities.add.map(capabilityName);
  if (own.capabilities?.drop?.length) security.capDrop = own.capabilities.drop.map(capabilityName);
  if (own.allowPrivilegeEscalation === false) security.noNewPrivileges = true;
  if ((own.seccompProfile ?? podContext.seccompProfile)?.type === 'Unconfined') security.seccomp = 'unconfined';
  if ((own.appArmorProfile ?? podContext.appArmorProfile)?.type === 'Unconfined') security.appArmor = 'unconfined';
  return security;
}

/** `NET_ADMIN` and `CAP_NET_ADMIN` are the same capability; `ALL` stays `ALL`. */
function capabilityName(name: string): string {
  return name.toUpperCase().replace(/^CAP_/, '');
}

/**
 * The kubelet's verifyRunAsNonRoot: throws ContainerConfigError with its message when the
 * container has runAsNonRoot and would run as root (or as a user it cannot check).
 */
export function verifyRunAsNonRoot(pod: Pod, container: Container, imageUser: string): void {
  const runAsNonRoot = container.securityContext?.runAsNonRoot ?? pod.spec.securityContext?.runAsNonRoot;
  if (!runAsNonRoot) return;
  const runAsUser = container.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser;
  if (runAsUser !== undefined) {
    if (runAsUser === 0) throw new ContainerConfigError(`container's runAsUser breaks non-root policy (pod: "${describePod(pod)}", container: ${container.name})`);
    return;
  }
  const user = imageUser.split(':')[0];
  if (user !== '' && !/^\d+$/.test(user)) {
    throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root (pod: "${describePod(pod)}", container: ${container.name})`);
  }
  if (user === '' || Number(user) === 0) throw new ContainerConfigError(`container has runAsNonRoot and image will run as root (pod: "${describePod(pod)}", container: ${container.name})`);
}
