// DockerRuntime: the ContainerRuntime on a real Docker Engine, through dockerode. It plays the
// part of Kubernetes' dockershim: a pod sandbox is an infra container that owns the network
// namespace; app containers join it with `NetworkMode: container:<sandbox>`.
//
// Everything kubelab creates carries io.kubelab.* labels, which are the only state this class
// needs: a restarted kubelet lists containers by label and re-adopts them.

import { readFile, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import {
  ImagePullError,
  LABEL_CONTAINER_NAME,
  LABEL_CONTAINER_ROLE,
  LABEL_MANAGED,
  LABEL_NODE,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  LABEL_RESTART_COUNT,
  LABEL_SANDBOX_ID,
  LABEL_SPEC_HASH,
  RuntimeError,
  appContainerLabels,
  sandboxLabels,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStatus,
  type AttachOptions,
  type ExecOptions,
  type ExecSession,
  type ImageStatus,
  type LogOptions,
  type PodIdentity,
  type RegistryAuth,
  type RuntimeInfo,
  type SandboxConfig,
  type SandboxStatus,
} from './container-runtime.js';
import { dockerMessage, statusCodeOf } from './docker-errors.js';
import { startDockerAttach, startDockerExec } from './docker-exec.js';
import { readDockerLogs } from './docker-logs.js';
import { pullDockerImage } from './docker-pull.js';
import { dockerSecurityFields } from './docker-security.js';
import { renderHostAliases, renderHostsFile, renderResolvConf } from './etc-files.js';

export interface DockerRuntimeOptions {
  /** DOCKER_HOST form: `unix:///var/run/docker.sock` or `tcp://host:port`. */
  dockerHost?: string;
  /** The image of every pod's infra container (scripts/build-images.sh builds it). */
  infraImage?: string;
  /**
   * A pull that shows no progress for this long is abandoned. Docker itself can wait minutes for
   * a registry that does not answer (a hanging DNS lookup, a dropped SYN); the kubelet would
   * rather report ErrImagePull and back off. Default 20 s.
   */
  pullIdleTimeoutMs?: number;
}

/** Docker's "no time" value in inspect output. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export function dockerConnection(dockerHost: string | undefined): Docker.DockerOptions {
  const host = dockerHost ?? process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('tcp://')) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
  }
  if (host.startsWith('/')) return { socketPath: host };
  throw new RuntimeError(`unsupported Docker host "${host}": use unix:///path/to/docker.sock or tcp://host:port`);
}

/** A container name Docker accepts: [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
function safeName(parts: (string | number)[]): string {
  return parts.map((p) => String(p).replace(/[^a-zA-Z0-9_.-]/g, '-')).join('_');
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 6);
}

/** A hostname of at most 63 characters, as the kernel and Docker require. */
function safeHostname(name: string): string {
  return name.slice(0, 63).replace(/[.-]+$/, '');
}

function podOf(labels: Record<string, string>): PodIdentity {
  return { uid: labels[LABEL_POD_UID] ?? '', namespace: labels[LABEL_POD_NAMESPACE] ?? '', name: labels[LABEL_POD_NAME] ?? '' };
}

function labelFilters(role: 'sandbox' | 'app', filter: { podUid?: string; nodeName?: string } = {}): string[] {
  const labels = [`${LABEL_MANAGED}=true`, `${LABEL_CONTAINER_ROLE}=${role}`];
  if (filter.podUid) labels.push(`${LABEL_POD_UID}=${filter.podUid}`);
  if (filter.nodeName) labels.push(`${LABEL_NODE}=${filter.nodeName}`);
  return labels;
}

const timeOrUndefined = (t: string | undefined): string | undefined =>
  !t || t === ZERO_TIME ? undefined : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class DockerRuntime implements ContainerRuntime {
  private readonly docker: Docker;
  private readonly infraImage: string;
  private readonly pullIdleTimeoutMs: number;
  /**
   * Inspect results by container ID and the state the list showed: a container's details only
   * change when its state does, so a poll of many containers inspects just the changed ones.
   */
  private readonly inspectCache = new Map<string, { state: string; status: ContainerStatus }>();

  constructor(options: DockerRuntimeOptions = {}) {
    this.docker = new Docker(dockerConnection(options.dockerHost));
    this.infraImage = options.infraImage ?? 'kubelab/pause:1';
    this.pullIdleTimeoutMs = options.pullIdleTimeoutMs ?? 20_000;
  }

  async info(): Promise<RuntimeInfo> {
    const info = await this.docker.info();
    return {
      runtimeVersion: `docker://${info.ServerVersion}`,
      osImage: info.OperatingSystem,
      kernelVersion: info.KernelVersion,
      operatingSystem: info.OSType,
      architecture: info.Architecture === 'x86_64' ? 'amd64' : info.Architecture === 'aarch64' ? 'arm64' : info.Architecture,
      cpus: info.NCPU,
      memoryBytes: info.MemTotal,
    };
  }

  // ------------------------------------------------------------------------------------------
  // Images

  async imageStatus(image: string): Promise<ImageStatus> {
    try {
      const inspect = await this.docker.getImage(image).inspect();
      return { present: true, id: inspect.Id, user: inspect.Config?.User ?? '' };
    } catch (err) {
      if (statusCodeOf(err) === 404) return { present: false };
      throw new RuntimeError(`inspecting image "${image}": ${dockerMessage(err)}`, { cause: err });
    }
  }

  async pullImage(image: string, auth?: RegistryAuth): Promise<string> {
    try {
      await pullDockerImage(this.docker, image, this.pullIdleTimeoutMs, auth && dockerAuthConfig(auth));
    } catch (err) {
      throw new ImagePullError(image, `pulling image "${image}": ${dockerMessage(err)}`, { cause: err });
    }
    const status = await this.imageStatus(image);
    if (!status.present) throw new ImagePullError(image, `pulling image "${image}": the engine reported success but the image is not there`);
    return status.id ?? '';
  }

  async ensureNetwork(name: string, subnet: string, gateway: string): Promise<void> {
    try {
      const existing = await this.docker.getNetwork(name).inspect();
      const subnets = (existing.IPAM?.Config ?? []).map((c: { Subnet?: string }) => c.Subnet);
      if (!subnets.includes(subnet)) {
        throw new RuntimeError(
          `Docker network "${name}" exists with subnet ${subnets.join(', ') || 'none'}, not ${subnet}; remove it (docker network rm ${name}) or choose another --pod-network`,
        );
      }
      return;
    } catch (err) {
      if (err instanceof RuntimeError) throw err;
      if (statusCodeOf(err) !== 404) throw new RuntimeError(`inspecting network "${name}": ${dockerMessage(err)}`, { cause: err });
    }
    try {
      await this.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
        Labels: { [LABEL_MANAGED]: 'true' },
      });
    } catch (err) {
      // Another process may have created it in between: then it is there, check it again.
      if (statusCodeOf(err) === 409) return this.ensureNetwork(name, subnet, gateway);
      throw new RuntimeError(`creating network "${name}" with subnet ${subnet}: ${dockerMessage(err)}`, { cause: err });
    }
  }

  // ------------------------------------------------------------------------------------------
  // Sandboxes

  async runPodSandbox(config: SandboxConfig): Promise<SandboxStatus> {
    const { pod } = config;
    const image = await this.imageStatus(this.infraImage);
    if (!image.present) {
      throw new RuntimeError(`the pod infra image "${this.infraImage}" is not on this engine: run scripts/build-images.sh to build it`);
    }
    const network = config.hostNetwork ? 'host' : (config.networkName ?? 'bridge');
    const portBindings: Record<string, { HostIp?: string; HostPort: string }[]> = {};
    const exposed: Record<string, object> = {};
    for (const m of config.portMappings ?? []) {
      const key = `${m.containerPort}/${m.protocol.toLowerCase()}`;
      exposed[key] = {};
      (portBindings[key] ??= []).push({ HostIp: m.hostIP ?? '', HostPort: String(m.hostPort) });
    }
    let container: Docker.Container | undefined;
    try {
      container = await this.docker.createContainer({
        name: safeName(['k8s', 'POD', pod.name, pod.namespace, pod.uid.slice(0, 8), randomSuffix()]),
        Image: this.infraImage,
        // The engine refuses a hostname in the node's network: the pod has the node's name there.
        ...(config.hostNetwork ? {} : { Hostname: safeHostname(config.hostname) }),
        Labels: sandboxLabels(config),
        ExposedPorts: exposed,
        HostConfig: {
          NetworkMode: network,
          // App containers join the sandbox's IPC namespace too, as in a Kubernetes pod.
          IpcMode: config.hostIPC ? 'host' : 'shareable',
          // The sandbox owns the pod's PID namespace, for shareProcessNamespace.
          ...(config.hostNetwork ? {} : { Dns: config.dnsServers, DnsSearch: config.dnsSearch, DnsOptions: config.dnsOptions }),
          ExtraHosts: (config.extraHosts ?? []).map((h) => `${h.hostname}:${h.ip}`),
          PortBindings: portBindings,
          ...(config.sysctls ? { Sysctls: config.sysctls } : {}),
          RestartPolicy: { Name: 'no' },
        },
      });
      await container.start();
      const inspect = await container.inspect();
      const ip = config.hostNetwork ? undefined : inspect.NetworkSettings.Networks[network]?.IPAddress || undefined;
      if (config.dnsServers?.length || config.dnsSearch?.length || config.dnsOptions?.length) {
        await writeFile(inspect.ResolvConfPath, renderResolvConf({ nameservers: config.dnsServers ?? [], searches: config.dnsSearch ?? [], options: config.dnsOptions ?? [] })).catch(() => undefined);
      }
      if (config.hostsFile) await writePodHosts(inspect.HostsPath, config, ip);
      return {
        id: inspect.Id,
        pod,
        state: inspect.State.Running ? 'ready' : 'notready',
        ip,
        createdAt: timeOrUndefined(inspect.Created) ?? new Date().toISOString(),
        labels: inspect.Config.Labels ?? {},
      };
    } catch (err) {
      // A sandbox that did not start is of no use to anyone: do not leave it behind.
      if (container) await container.remove({ force: true }).catch(() => undefined);
      throw new RuntimeError(`creating the sandbox of pod ${pod.namespace}/${pod.name}: ${dockerMessage(err)}`, { cause: err });
    }
  }

  async stopPodSandbox(id: string): Promise<void> {
    await this.stopContainer(id, 0);
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.removeContainer(id);
  }

  async listPodSandboxes(filter?: { podUid?: string; nodeName?: string }): Promise<SandboxStatus[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: labelFilters('sandbox', filter) } });
    return list.map((c) => {
      const ip = Object.values(c.NetworkSettings?.Networks ?? {}).map((n) => n.IPAddress).find(Boolean);
      return {
        id: c.Id,
        pod: podOf(c.Labels),
        state: c.State === 'running' ? 'ready' : 'notready',
        ip: ip || undefined,
        createdAt: new Date(c.Created * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        labels: c.Labels,
      };
    });
  }

  // ------------------------------------------------------------------------------------------
  // Containers

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const { pod } = config;
    // dockershim's naming: `docker ps` tells which pod and which attempt a container is.
    const name = safeName(['k8s', config.name, pod.name, pod.namespace, pod.uid.slice(0, 8), config.restartCount]);
    try {
      return await this.createAppContainer(name, sandboxId, config);
    } catch (err) {
      // 409: a container of that name is left from an attempt the kubelet lost track of (it
      // crashed between create and start). It is not ours to remove here: take another name.
      if (statusCodeOf(err) === 409) {
        try {
          return await this.createAppContainer(`${name}_${randomSuffix()}`, sandboxId, config);
        } catch (retryErr) {
          err = retryErr;
        }
      }
      const code = statusCodeOf(err);
      const hint = code === 404 ? ` (is the image "${config.image}" on this engine?)` : '';
      throw new RuntimeError(`creating container "${config.name}" of pod ${pod.namespace}/${pod.name}: ${dockerMessage(err)}${hint}`, { cause: err });
    }
  }

  private async createAppContainer(name: string, sandboxId: string, config: ContainerConfig): Promise<string> {
    const security = dockerSecurityFields(config.security);
    const container = await this.docker.createContainer({
      name,
      Image: config.image,
      // Kubernetes semantics: command replaces the image's ENTRYPOINT (and then its CMD is not
      // used), args replaces its CMD.
      ...(config.command ? { Entrypoint: config.command } : {}),
      ...(config.args ? { Cmd: config.args } : config.command ? { Cmd: [] } : {}),
      Env: config.env.map((e) => `${e.name}=${e.value}`),
      WorkingDir: config.workingDir,
      Tty: config.tty ?? false,
      OpenStdin: config.stdin ?? false,
      StdinOnce: Boolean(config.stdin && config.stdinOnce),
      Labels: appContainerLabels(config, sandboxId),
      ...(security.User ? { User: security.User } : {}),
      HostConfig: {
        ...security.HostConfig,
        NetworkMode: `container:${sandboxId}`,
        IpcMode: `container:${sandboxId}`,
        ...dockerPidMode(config.pidMode, sandboxId),
        Binds: config.mounts.map((m) => `${m.hostPath}:${m.containerPath}${m.readOnly ? ':ro' : ''}`),
        Memory: config.memoryLimitBytes,
        // No swap beyond the limit, as the kubelet configures it: over the limit means OOMKilled.
        ...(config.memoryLimitBytes ? { MemorySwap: config.memoryLimitBytes } : {}),
        NanoCpus: config.nanoCpus,
        // The kubelet restarts containers (with back-off, per restartPolicy), not Docker.
        RestartPolicy: { Name: 'no' },
      },
    });
    return container.id;
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (statusCodeOf(err) === 304) return;
      throw new RuntimeError(`starting container ${id.slice(0, 12)}: ${dockerMessage(err)}`, { cause: err });
    }
  }

  async stopContainer(id: string, gracePeriodSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.ceil(gracePeriodSeconds)) });
    } catch (err) {
      const code = statusCodeOf(err);
      if (code === 304 || code === 404) return;
      throw new RuntimeError(`stopping container ${id.slice(0, 12)}: ${dockerMessage(err)}`, { cause: err });
    }
  }

  async removeContainer(id: string): Promise<void> {
    this.inspectCache.delete(id);
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const code = statusCodeOf(err);
      // 404: already gone; 409: a removal is already in progress.
      if (code === 404 || code === 409) return;
      throw new RuntimeError(`removing container ${id.slice(0, 12)}: ${dockerMessage(err)}`, { cause: err });
    }
  }

  async listContainers(filter?: { podUid?: string; nodeName?: string }): Promise<ContainerStatus[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: labelFilters('app', filter) } });
    const seen = new Set(list.map((c) => c.Id));
    for (const id of this.inspectCache.keys()) if (!seen.has(id)) this.inspectCache.delete(id);
    const statuses = await Promise.all(
      list.map(async (c) => {
        const cached = this.inspectCache.get(c.Id);
        if (cached && cached.state === c.State) return cached.status;
        try {
          const status = await this.containerStatus(c.Id);
          this.inspectCache.set(c.Id, { state: c.State, status });
          return status;
        } catch {
          return undefined; // removed between list and inspect
        }
      }),
    );
    return statuses.filter((s): s is ContainerStatus => s !== undefined);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    let inspect: Docker.ContainerInspectInfo;
    try {
      inspect = await this.docker.getContainer(id).inspect();
    } catch (err) {
      throw new RuntimeError(`inspecting container ${id.slice(0, 12)}: ${dockerMessage(err)}`, { cause: err });
    }
    const labels = inspect.Config.Labels ?? {};
    const s = inspect.State;
    const state = s.Running ? 'running' : s.Status === 'created' ? 'created' : s.Status === 'exited' || s.Status === 'dead' ? 'exited' : 'unknown';
    const exited = state === 'exited';
    return {
      id: inspect.Id,
      pod: podOf(labels),
      name: labels[LABEL_CONTAINER_NAME] ?? '',
      state,
      image: inspect.Config.Image,
      imageId: inspect.Image,
      restartCount: Number(labels[LABEL_RESTART_COUNT] ?? 0),
      specHash: labels[LABEL_SPEC_HASH] ?? '',
      ...(labels[LABEL_SANDBOX_ID] ? { sandboxId: labels[LABEL_SANDBOX_ID] } : {}),
      createdAt: timeOrUndefined(inspect.Created) ?? '',
      startedAt: timeOrUndefined(s.StartedAt),
      finishedAt: exited ? timeOrUndefined(s.FinishedAt) : undefined,
      ...(exited && s.FinishedAt && s.FinishedAt !== ZERO_TIME && !Number.isNaN(Date.parse(s.FinishedAt)) ? { finishedAtMs: Date.parse(s.FinishedAt) } : {}),
      exitCode: exited ? s.ExitCode : undefined,
      reason: exited ? (s.OOMKilled ? 'OOMKilled' : s.ExitCode === 0 ? 'Completed' : 'Error') : undefined,
      message: s.Error || undefined,
      labels,
      ...(s.Running && s.Pid > 0 ? { pid: s.Pid } : {}),
    };
  }

  // ------------------------------------------------------------------------------------------
  // Streams

  async containerLogs(id: string, options: LogOptions): Promise<Readable> {
    try {
      return await readDockerLogs(this.docker.getContainer(id), options);
    } catch (err) {
      throw new RuntimeError(`reading logs of container ${id.slice(0, 12)}: ${dockerMessage(err)}`, { cause: err });
    }
  }

  async exec(id: string, options: ExecOptions): Promise<ExecSession> {
    try {
      return await startDockerExec(this.docker, id, options);
    } catch (err) {
      throw new RuntimeError(`exec in container ${id.slice(0, 12)}: ${dockerMessage(err)}`, { cause: err });
    }
  }

  async attach(id: string, options: AttachOptions): Promise<ExecSession> {
    try {
      return await startDockerAttach(this.docker, id, options);
    } catch (err) {
      throw new RuntimeError(`attach to container ${id.slice(0, 12)}: ${dockerMessage(err)}`, { cause: err });
    }
  }
}

/**
 * On a user-defined network Docker points /etc/resolv.conf at its embedded DNS (127.0.0.11),
 * which forwards to the pod's servers. Pods should see the cluster DNS itself, as in Kubernetes,
 * so (like dockershim's rewriteResolvFile) the sandbox's file is rewritten, with the search list
 * and options the kubelet decided; app containers share it because they join the sandbox's
 * network. The same goes for /etc/hosts: the kubelet's file (the pod's name and FQDN on its IP,
 * the hostAliases) replaces Docker's; in the node's network the node's file is kept and the
 * aliases added. When the engine's files are not reachable from here (a remote engine),
 * Docker's files stay.
 */
async function writePodHosts(hostsPath: string, config: SandboxConfig, ip: string | undefined): Promise<void> {
  const hosts = config.hostsFile!;
  let text: string;
  if (config.hostNetwork) {
    const nodeFile = await readFile(hostsPath, 'utf8').catch(() => '');
    text = `${nodeFile.replace(/\n*$/, '\n')}${renderHostAliases(hosts.hostAliases)}`;
  } else text = renderHostsFile(ip, safeHostname(config.hostname).split('.')[0], hosts.fqdn, hosts.hostAliases);
  await writeFile(hostsPath, text).catch(() => undefined);
}

/** Docker's X-Registry-Auth for a pull. */
function dockerAuthConfig(auth: RegistryAuth): Record<string, string> {
  return {
    serveraddress: auth.serverAddress,
    ...(auth.username !== undefined ? { username: auth.username } : {}),
    ...(auth.password !== undefined ? { password: auth.password } : {}),
    ...(auth.auth ? { auth: auth.auth } : {}),
    ...(auth.identityToken ? { identitytoken: auth.identityToken } : {}),
  };
}

/** Docker's PidMode for a container of the sandbox: the host's, the sandbox's, another container's, or (undefined) its own. */
function dockerPidMode(mode: ContainerConfig['pidMode'], sandboxId: string): { PidMode?: string } {
  if (mode === undefined) return {};
  if (mode === 'host') return { PidMode: 'host' };
  if (mode === 'pod') return { PidMode: `container:${sandboxId}` };
  return { PidMode: `container:${mode.containerId}` };
}
