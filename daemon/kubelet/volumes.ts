// Volumes and environment of a pod's containers: the kubelet's volume manager and its
// makeEnvironmentVariables, for the volume types a lab needs.
//
// Every pod gets a directory `<dataDir>/pods/<uid>/volumes/`, with one folder per volume,
// named like the kubelet names them (`kubernetes.io~empty-dir/cache`):
// - emptyDir: an empty directory that lives as long as the pod; every container that mounts it
//   sees the same files, which is how the containers of a pod share data.
// - hostPath: a path of the node, mounted as it is (`DirectoryOrCreate` creates it first).
// - secret / configMap: one file per key (or per `items` entry) holding the decoded value. A
//   secret volume is a tmpfs of its own (tmpfs-mounter.ts), so no Secret is ever written to the
//   node's disk; it is unmounted when the pod goes. A configMap volume is a directory on disk.
//   Files are written the way Kubernetes' AtomicWriter does: into a fresh `..<timestamp>` folder,
//   then the `..data` symlink is swapped to it in one rename, and each key is a symlink through
//   `..data`; a reader never sees half of an update. These mounts are always read-only.
// - downwardAPI: one file per item holding a field of the pod (name, namespace, uid, labels,
//   annotations, a label or annotation) or a container's resource (resourceFieldRef), written
//   the same atomic way.
// - projected: configMap, secret and downwardAPI sources together in one directory (a tmpfs
//   when a secret is among them), and serviceAccountToken: a token of the pod's service
//   account bound to the pod, asked of the API (service-account-tokens.ts); the volume is a
//   tmpfs then too, as a token is a secret. The kubelet keeps each token it was given and asks
//   for a new one when it is due (80% of its TTL gone, tokenRequiresRefresh); the pod resync
//   calls refreshServiceAccountTokens, which rewrites the volume the same atomic way, so a
//   reader sees the old token or the new one, never a part of either.
// - fsGroup (pod securityContext): every volume but hostPath is given to that group, with the
//   setgid bit on its directories so new files stay in it, and group read (and write, unless the
//   volume is read-only) on its files; the containers have the group as a supplementary group.
//   fsGroupChangePolicy OnRootMismatch skips the walk when the volume's root is already right.
// - persistentVolumeClaim: the directory of the PersistentVolume the claim is bound to (hostPath
//   or local), mounted as it is, so what a pod writes is there for the next pod of the claim.
// Any other type is refused by the API at create; a pod never gets an emptyDir in its place.
// A missing Secret or ConfigMap keeps the pod waiting with CreateContainerConfigError and a
// message that names it, exactly as Kubernetes does, until someone creates it.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { Container, DownwardAPIVolumeFile, EnvVar, KeyToPath, KubeObject, Pod, Secret, Volume } from '../../lib/api/types.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../lib/api/storage-types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { LOCAL_PATH_PROVISIONER, PROVISIONED_BY_ANNOTATION } from '../../lib/storage/storage-names.js';
import { isNotFound } from '../../lib/errors.js';
import type { Mount } from '../runtime/container-runtime.js';
import { makeEnvironment, podFieldValue, referencedConfigSources, resourceFieldValue, type ConfigSource, type EnvironmentResult, type NodeAllocatable, type PodRuntimeFields } from './container-env.js';
import { HostTmpfsMounter, type TmpfsMounter } from './tmpfs-mounter.js';
import { issuedToken, podTokenRequest, tokenRequiresRefresh, TOKEN_MAX_JITTER_MS, type IssuedToken, type ServiceAccountTokenClient } from './service-account-tokens.js';
import { systemClock, type Clock } from '../../lib/clock.js';

/**
 * The host path of `subPath` inside the volume at `volumeRoot`, never outside it: the fix of
 * CVE-2017-1002101. Containers can write symlinks into a volume (an emptyDir), and the container
 * engine follows symlinks in a bind mount's source, so `subPath: escape` with `escape -> /` in
 * the volume used to mount the node's root into the next container. Each component is looked at
 * with lstat, without following it: a real directory is entered, a missing one is created (as the
 * kubelet creates subPath directories), and a symlink is resolved and must land inside the
 * volume, else the mount is refused and the container waits with CreateContainerConfigError.
 * What is handed to the engine is the resolved real path, with no symlink left in it.
 */
export async function resolveSubPath(volumeRoot: string, subPath: string, what: string): Promise<string> {
  const parts = subPath.split('/').filter((part) => part !== '' && part !== '.');
  if (path.isAbsolute(subPath) || parts.includes('..')) throw new ContainerConfigError(`${what} must be a relative path without ".."`);
  const root = await fs.realpath(volumeRoot);
  const inside = (candidate: string) => candidate === root || candidate.startsWith(root + path.sep);
  let current = root;
  for (const [i, part] of parts.entries()) {
    const next = path.join(current, part);
    let stat;
    try {
      stat = await fs.lstat(next);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // mkdir never follows a symlink at its last component: a link planted meanwhile fails it.
      await fs.mkdir(next, { mode: 0o777 });
      current = next;
      continue;
    }
    if (stat.isSymbolicLink()) {
      let target: string;
      try {
        target = await fs.realpath(next);
      } catch {
        throw new ContainerConfigError(`${what}: "${parts.slice(0, i + 1).join('/')}" is a symlink to nothing`);
      }
      if (!inside(target)) {
        throw new ContainerConfigError(`${what} escapes its volume: "${parts.slice(0, i + 1).join('/')}" is a symlink to ${target}, outside the volume; refused, as Kubernetes refuses it since CVE-2017-1002101`);
      }
      current = target;
      continue;
    }
    current = next;
  }
  return current;
}

/** A container cannot be configured yet (its Secret or ConfigMap is missing): CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/** The default file mode of secret and configMap files when neither item nor volume sets one. */
const DEFAULT_FILE_MODE = 0o444;

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export interface PreparedVolume {
  hostPath: string;
  /** Secret and configMap volumes are read-only whatever the volumeMount says. */
  forceReadOnly: boolean;
}

export class VolumeManager {
  constructor(
    private readonly client: ApiClient,
    private readonly dataDir: string,
    /** Mounts the tmpfs of secret volumes; the host's mount table by default. */
    private readonly tmpfs: TmpfsMounter = new HostTmpfsMounter(),
    /** Where projected serviceAccountToken sources get their tokens; without it they are refused. */
    private readonly tokens?: ServiceAccountTokenClient,
    /** When tokens are due; the real time by default. */
    private readonly clock: Clock = systemClock,
  ) {}

  /** The tokens given to each pod's projected volumes, by pod uid, then `volume/path`. */
  private readonly issuedTokens = new Map<string, Map<string, IssuedToken>>();

  podDir(uid: string): string {
    return path.join(this.dataDir, 'pods', uid);
  }

  /** Creates or refreshes every volume of the pod; returns them by volume name. */
  async preparePodVolumes(pod: Pod, allocatable: NodeAllocatable = { cpuMillis: 0, memoryBytes: 0 }): Promise<Map<string, PreparedVolume>> {
    const prepared = new Map<string, PreparedVolume>();
    const fsGroup = pod.spec.securityContext?.fsGroup;
    for (const volume of pod.spec.volumes ?? []) {
      const ready = await this.prepareVolume(pod, volume, allocatable);
      if (fsGroup !== undefined && !volume.hostPath) {
        await applyFsGroup(ready.hostPath, fsGroup, ready.forceReadOnly, pod.spec.securityContext?.fsGroupChangePolicy === 'OnRootMismatch');
      }
      prepared.set(volume.name, ready);
    }
    return prepared;
  }

  /**
   * Rewrites the projected volumes of `pod` whose service account tokens are due (the token
   * manager's periodic check; the pod resync calls it); returns the names of the volumes rewritten.
   * A volume was prepared before (the pod runs), so its tmpfs is there already.
   */
  async refreshServiceAccountTokens(pod: Pod, allocatable: NodeAllocatable = { cpuMillis: 0, memoryBytes: 0 }): Promise<string[]> {
    // No token kept (this kubelet restarted since it wrote the volume): the one on disk is of
    // unknown age, so it is replaced once, and kept from then on.
    const issued = this.issuedTokens.get(pod.metadata.uid!) ?? new Map<string, IssuedToken>();
    const nowMs = this.clock.now().getTime();
    const jitterMs = Math.random() * TOKEN_MAX_JITTER_MS;
    const rewritten: string[] = [];
    for (const volume of pod.spec.volumes ?? []) {
      const keys = (volume.projected?.sources ?? []).flatMap((source) => (source.serviceAccountToken ? [`${volume.name}/${source.serviceAccountToken.path}`] : []));
      const due = keys.filter((key) => {
        const token = issued.get(key);
        return token === undefined || tokenRequiresRefresh(token, nowMs, jitterMs);
      });
      if (due.length === 0) continue;
      // Forget the due ones, so prepareVolume asks again (it reuses the others).
      for (const key of due) this.issuedTokens.get(pod.metadata.uid!)?.delete(key);
      await this.prepareVolume(pod, volume, allocatable);
      rewritten.push(volume.name);
    }
    return rewritten;
  }

  /** The token for a serviceAccountToken source: the one given before unless it is due. */
  private async serviceAccountToken(pod: Pod, volumeName: string, source: { path: string; audience?: string; expirationSeconds?: number }): Promise<string> {
    if (!this.tokens) throw new ContainerConfigError(`projected volume "${volumeName}": this kubelet has no way to ask for service account tokens`);
    const uid = pod.metadata.uid!;
    const key = `${volumeName}/${source.path}`;
    const kept = this.issuedTokens.get(uid)?.get(key);
    if (kept && !tokenRequiresRefresh(kept, this.clock.now().getTime())) return kept.token;
    const request = podTokenRequest(pod, source);
    const fresh = issuedToken(await this.tokens.createToken(pod.metadata.namespace!, pod.spec.serviceAccountName || 'default', request), request);
    if (!this.issuedTokens.has(uid)) this.issuedTokens.set(uid, new Map());
    this.issuedTokens.get(uid)!.set(key, fresh);
    return fresh.token;
  }

  /** The host file a container attempt's terminationMessagePath is mounted from. */
  terminationLogPath(uid: string, containerName: string, restartCount: number): string {
    return path.join(this.podDir(uid), 'containers', containerName, `termination-log-${restartCount}`);
  }

  /** Creates the (empty, world-writable) termination log file of a container attempt; returns its path. */
  async ensureTerminationLog(uid: string, containerName: string, restartCount: number): Promise<string> {
    const file = this.terminationLogPath(uid, containerName, restartCount);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
    await fs.writeFile(file, '', { flag: 'w' });
    await fs.chmod(file, 0o666); // any user the container runs as may write its message
    return file;
  }

  private volumeDir(pod: Pod, plugin: string, name: string): string {
    return path.join(this.podDir(pod.metadata.uid!), 'volumes', `kubernetes.io~${plugin}`, name);
  }

  private async prepareVolume(pod: Pod, volume: Volume, allocatable: NodeAllocatable): Promise<PreparedVolume> {
    if (volume.downwardAPI) {
      const dir = this.volumeDir(pod, 'downward-api', volume.name);
      const mode = volume.downwardAPI.defaultMode ?? DOWNWARD_API_DEFAULT_MODE;
      await writeAtomically(dir, downwardApiFiles(pod, volume.downwardAPI.items ?? [], mode, allocatable));
      return { hostPath: dir, forceReadOnly: true };
    }
    if (volume.projected) {
      const dir = this.volumeDir(pod, 'projected', volume.name);
      const mode = volume.projected.defaultMode ?? DOWNWARD_API_DEFAULT_MODE;
      const files: FileToWrite[] = [];
      const sources = volume.projected.sources ?? [];
      for (const source of sources) {
        if (source.configMap) {
          const configMap = await this.read<ConfigMap>('configmaps', pod.metadata.namespace!, source.configMap.name, source.configMap.optional);
          const values = { ...toBuffers(configMap?.data ?? {}), ...decodeAll(configMap?.binaryData ?? {}) };
          files.push(...filesFor(values, source.configMap.items, mode, source.configMap.optional, 'configmap'));
        } else if (source.secret) {
          const secret = await this.read<Secret>('secrets', pod.metadata.namespace!, source.secret.name, source.secret.optional);
          files.push(...filesFor(decodeAll(secret?.data ?? {}), source.secret.items, mode, source.secret.optional, 'secret'));
        } else if (source.downwardAPI) {
          files.push(...downwardApiFiles(pod, source.downwardAPI.items ?? [], mode, allocatable));
        } else if (source.serviceAccountToken) {
          const token = await this.serviceAccountToken(pod, volume.name, source.serviceAccountToken);
          files.push({ path: source.serviceAccountToken.path, content: Buffer.from(token), mode });
        }
      }
      if (sources.some((source) => source.secret || source.serviceAccountToken)) await this.tmpfs.ensureTmpfs(dir);
      await writeAtomically(dir, files);
      return { hostPath: dir, forceReadOnly: true };
    }
    if (volume.hostPath) return { hostPath: await prepareHostPath(volume.hostPath.path, volume.hostPath.type), forceReadOnly: false };
    if (volume.secret) {
      const dir = this.volumeDir(pod, 'secret', volume.name);
      const secret = await this.read<Secret>('secrets', pod.metadata.namespace!, volume.secret.secretName, volume.secret.optional);
      const values = decodeAll(secret?.data ?? {});
      await this.tmpfs.ensureTmpfs(dir);
      await writeAtomically(dir, filesFor(values, volume.secret.items, volume.secret.defaultMode, volume.secret.optional, 'secret'));
      return { hostPath: dir, forceReadOnly: true };
    }
    if (volume.configMap) {
      const dir = this.volumeDir(pod, 'configmap', volume.name);
      const configMap = await this.read<ConfigMap>('configmaps', pod.metadata.namespace!, volume.configMap.name, volume.configMap.optional);
      const values = { ...toBuffers(configMap?.data ?? {}), ...decodeAll(configMap?.binaryData ?? {}) };
      await writeAtomically(dir, filesFor(values, volume.configMap.items, volume.configMap.defaultMode, volume.configMap.optional, 'configmap'));
      return { hostPath: dir, forceReadOnly: true };
    }
    if (volume.persistentVolumeClaim) return this.prepareClaim(pod, volume.persistentVolumeClaim);
    if (!volume.emptyDir) {
      // The API refuses every other type at create; a pod stored before it did is told, never handed an empty directory.
      throw new ContainerConfigError(`volume "${volume.name}": kubelab cannot mount this volume type; it mounts emptyDir, hostPath, secret, configMap, downwardAPI, projected and persistentVolumeClaim volumes`);
    }
    const dir = this.volumeDir(pod, 'empty-dir', volume.name);
    // Made once per pod, as Kubernetes' emptyDir is set up once: any user in any container may
    // write. A later preparation leaves the mode alone (fsGroup's setgid bit stays, so
    // fsGroupChangePolicy OnRootMismatch can see the root is already right).
    if ((await fs.mkdir(dir, { recursive: true, mode: 0o777 })) !== undefined) await fs.chmod(dir, 0o777);
    return { hostPath: dir, forceReadOnly: false };
  }

  /**
   * A claim's volume: the path of the PersistentVolume it is bound to, on this node. The scheduler
   * only binds a pod whose claims are bound, so a missing or unbound claim here means it changed
   * since (or the pod named its node itself): the pod waits, and says why, until it is bound.
   * A local-path volume's directory is made here, on its node, the first time a pod mounts it.
   */
  private async prepareClaim(pod: Pod, source: { claimName: string; readOnly?: boolean }): Promise<PreparedVolume> {
    const namespace = pod.metadata.namespace!;
    let claim: PersistentVolumeClaim;
    try {
      claim = await this.client.get<PersistentVolumeClaim>('persistentvolumeclaims', namespace, source.claimName);
    } catch (err) {
      if (isNotFound(err)) throw new ContainerConfigError(`persistentvolumeclaim "${source.claimName}" not found`);
      throw err;
    }
    if (!claim.spec.volumeName || claim.status?.phase !== 'Bound') {
      throw new ContainerConfigError(`persistentvolumeclaim "${source.claimName}" is not bound (phase ${claim.status?.phase ?? 'Pending'}): see kubectl describe pvc ${source.claimName}`);
    }
    let volume: PersistentVolume;
    try {
      volume = await this.client.get<PersistentVolume>('persistentvolumes', undefined, claim.spec.volumeName);
    } catch (err) {
      if (isNotFound(err)) throw new ContainerConfigError(`persistentvolumeclaim "${source.claimName}" is bound to persistentvolume "${claim.spec.volumeName}", which does not exist`);
      throw err;
    }
    const forceReadOnly = Boolean(source.readOnly);
    if (volume.spec.hostPath) {
      const localPath = volume.metadata.annotations?.[PROVISIONED_BY_ANNOTATION] === LOCAL_PATH_PROVISIONER;
      if (localPath && !(await fs.stat(volume.spec.hostPath.path).catch(() => undefined))) {
        // As k3s's local-path helper does: any user in any container may write to a new volume.
        await fs.mkdir(volume.spec.hostPath.path, { recursive: true, mode: 0o777 });
        await fs.chmod(volume.spec.hostPath.path, 0o777);
      }
      return { hostPath: await prepareHostPath(volume.spec.hostPath.path, volume.spec.hostPath.type), forceReadOnly };
    }
    if (volume.spec.local) {
      const stat = await fs.stat(volume.spec.local.path).catch(() => undefined);
      if (!stat?.isDirectory()) throw new ContainerConfigError(`local volume "${volume.metadata.name}": ${volume.spec.local.path} is not a directory on this node; a local volume must exist before it is used`);
      return { hostPath: volume.spec.local.path, forceReadOnly };
    }
    throw new ContainerConfigError(`persistentvolume "${volume.metadata.name}" has no hostPath or local source that kubelab can mount`);
  }

  /** Reads a Secret or ConfigMap; a missing one is a ContainerConfigError unless optional. */
  private async read<T extends KubeObject>(resource: 'secrets' | 'configmaps', namespace: string, name: string, optional?: boolean): Promise<T | undefined> {
    try {
      return await this.client.get<T>(resource, namespace, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      if (optional) return undefined;
      throw new ContainerConfigError(`${resource === 'secrets' ? 'secret' : 'configmap'} "${name}" not found`);
    }
  }

  /** The container's mounts, from its volumeMounts and the prepared volumes; a subPath is resolved inside its volume (resolveSubPath). */
  async mountsFor(container: Container, volumes: Map<string, PreparedVolume>): Promise<Mount[]> {
    const mounts: Mount[] = [];
    for (const m of container.volumeMounts ?? []) {
      const volume = volumes.get(m.name);
      if (!volume) throw new ContainerConfigError(`volume "${m.name}" of container "${container.name}" is not among the pod's volumes`);
      const hostPath = m.subPath ? await resolveSubPath(volume.hostPath, m.subPath, `subPath "${m.subPath}" of volume "${m.name}" in container "${container.name}"`) : volume.hostPath;
      mounts.push({ hostPath, containerPath: m.mountPath, readOnly: volume.forceReadOnly || Boolean(m.readOnly) });
    }
    return mounts;
  }

  /** Removes everything the pod had on this node: its secret volumes' tmpfs first, then its directory. */
  async cleanupPod(uid: string): Promise<void> {
    this.issuedTokens.delete(uid);
    await this.tmpfs.unmountAllUnder(this.podDir(uid));
    await fs.rm(this.podDir(uid), { recursive: true, force: true });
  }

  /** The uids of the pods that have a directory here (to find leftovers of deleted pods). */
  async podUidsOnDisk(): Promise<string[]> {
    try {
      return await fs.readdir(path.join(this.dataDir, 'pods'));
    } catch {
      return [];
    }
  }

  /**
   * The environment of a container (container-env.ts decides it): this reads the ConfigMaps and
   * Secrets it references, and hands them over with the pod's runtime fields.
   */
  async environment(
    pod: Pod,
    container: Container,
    fields: PodRuntimeFields,
    serviceEnv: { name: string; value: string }[] = [],
    allocatable: NodeAllocatable = { cpuMillis: 0, memoryBytes: 0 },
  ): Promise<EnvironmentResult> {
    const namespace = pod.metadata.namespace!;
    const wanted = referencedConfigSources(container);
    const configMaps = new Map<string, ConfigSource>();
    for (const name of wanted.configMaps) {
      const configMap = await this.read<ConfigMap>('configmaps', namespace, name, true);
      configMaps.set(name, configMap ? { ...(configMap.data ?? {}), ...textOf(decodeAll(configMap.binaryData ?? {})) } : undefined);
    }
    const secrets = new Map<string, ConfigSource>();
    for (const name of wanted.secrets) {
      const secret = await this.read<Secret>('secrets', namespace, name, true);
      secrets.set(name, secret ? textOf(decodeAll(secret.data ?? {})) : undefined);
    }
    return makeEnvironment({ pod, container, fields, allocatable, configMaps, secrets, serviceEnv });
  }
}

function textOf(values: Record<string, Buffer>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.toString('utf8')]));
}

function decodeAll(data: Record<string, string>): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

function toBuffers(data: Record<string, string>): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8')]));
}

/** downwardAPI and projected files: 0644, as Kubernetes' default. */
const DOWNWARD_API_DEFAULT_MODE = 0o644;

/** The files of downwardAPI items: a pod field (metadata only) or a container's resource. */
export function downwardApiFiles(pod: Pod, items: DownwardAPIVolumeFile[], defaultMode: number, allocatable: NodeAllocatable): FileToWrite[] {
  return items.map((item) => {
    let content: string;
    if (item.fieldRef) content = podFieldValue(pod, item.fieldRef.fieldPath, {});
    else if (item.resourceFieldRef) content = resourceFieldValue(pod, item.resourceFieldRef.containerName ?? '', item.resourceFieldRef, allocatable);
    else content = '';
    return { path: item.path, content: Buffer.from(content, 'utf8'), mode: item.mode ?? defaultMode };
  });
}

/** Kubernetes' SetVolumeOwnership: group fsGroup, setgid directories, group read (and write) on files. */
async function applyFsGroup(root: string, gid: number, readOnly: boolean, onRootMismatch: boolean): Promise<void> {
  const rootStat = await fs.stat(root);
  if (onRootMismatch && rootStat.gid === gid && (rootStat.mode & 0o2000) !== 0) return;
  const fileMask = readOnly ? 0o440 : 0o660;
  const walk = async (target: string): Promise<void> => {
    const stat = await fs.lstat(target);
    if (stat.isSymbolicLink()) return;
    await fs.chown(target, stat.uid, gid);
    if (stat.isDirectory()) {
      await fs.chmod(target, (stat.mode & 0o7777) | 0o2000 | fileMask | 0o110);
      for (const entry of await fs.readdir(target)) await walk(path.join(target, entry));
    } else await fs.chmod(target, (stat.mode & 0o7777) | fileMask);
  };
  await walk(root);
}

interface FileToWrite {
  path: string;
  content: Buffer;
  mode: number;
}

/** One file per key, or per item (with its own path and mode). */
export function filesFor(
  values: Record<string, Buffer>,
  items: KeyToPath[] | undefined,
  defaultMode: number | undefined,
  optional: boolean | undefined,
  source: 'secret' | 'configmap',
): FileToWrite[] {
  const mode = defaultMode ?? DEFAULT_FILE_MODE;
  if (!items) return Object.entries(values).map(([key, content]) => ({ path: key, content, mode }));
  return items.flatMap((item) => {
    const content = values[item.key];
    if (content === undefined) {
      if (optional) return [];
      throw new ContainerConfigError(source === 'secret' ? `references non-existent secret key: ${item.key}` : `configmap references non-existent config key: ${item.key}`);
    }
    return [{ path: item.path, content, mode: item.mode ?? mode }];
  });
}

/** Kubernetes' AtomicWriter: a new `..<stamp>` folder, the `..data` link swapped in one rename. */
async function writeAtomically(dir: string, files: FileToWrite[]): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const stamp = `..${new Date().toISOString().replace(/[-:.]/g, '_')}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
  const fresh = path.join(dir, stamp);
  await fs.mkdir(fresh, { mode: 0o755 });
  for (const file of files) {
    const target = path.join(fresh, file.path);
    if (!target.startsWith(fresh + path.sep)) throw new ContainerConfigError(`invalid path ${JSON.stringify(file.path)}: must stay inside the volume`);
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    await fs.writeFile(target, file.content, { mode: file.mode });
    await fs.chmod(target, file.mode); // writeFile's mode is filtered by the umask
  }
  const previous = await fs.readlink(path.join(dir, '..data')).catch(() => undefined);
  const tmpLink = path.join(dir, '..data_tmp');
  await fs.rm(tmpLink, { force: true });
  await fs.symlink(stamp, tmpLink);
  await fs.rename(tmpLink, path.join(dir, '..data'));
  // Each top-level name points through ..data, so it follows the swap.
  const topLevel = new Set(files.map((f) => f.path.split('/')[0]));
  for (const name of topLevel) {
    const link = path.join(dir, name);
    const existing = await fs.readlink(link).catch(() => undefined);
    if (existing === path.join('..data', name)) continue;
    await fs.rm(link, { recursive: true, force: true });
    await fs.symlink(path.join('..data', name), link);
  }
  // Names that the new version no longer has, and the old version's folder.
  for (const entry of await fs.readdir(dir)) {
    if (entry.startsWith('..') || topLevel.has(entry)) continue;
    await fs.rm(path.join(dir, entry), { recursive: true, force: true });
  }
  if (previous && previous !== stamp) await fs.rm(path.join(dir, previous), { recursive: true, force: true });
}

async function prepareHostPath(hostPath: string, type: string | undefined): Promise<string> {
  const stat = await fs.stat(hostPath).catch(() => undefined);
  switch (type ?? '') {
    case 'DirectoryOrCreate':
      if (!stat) await fs.mkdir(hostPath, { recursive: true, mode: 0o755 });
      else if (!stat.isDirectory()) throw new ContainerConfigError(`hostPath type check failed: ${hostPath} is not a directory`);
      break;
    case 'Directory':
      if (!stat?.isDirectory()) throw new ContainerConfigError(`hostPath type check failed: ${hostPath} is not a directory`);
      break;
    case 'FileOrCreate':
      if (!stat) {
        await fs.mkdir(path.dirname(hostPath), { recursive: true, mode: 0o755 });
        await fs.writeFile(hostPath, '', { mode: 0o644 });
      } else if (!stat.isFile()) throw new ContainerConfigError(`hostPath type check failed: ${hostPath} is not a file`);
      break;
    case 'File':
      if (!stat?.isFile()) throw new ContainerConfigError(`hostPath type check failed: ${hostPath} is not a file`);
      break;
  }
  return hostPath;
}
