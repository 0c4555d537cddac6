// The kubelet's side of `kubectl logs`, `exec`, `attach` and `port-forward`: finds the right container
// attempt of a pod on this node and hands out its streams (PodStreams, daemon/pod-streams/pod-streams.ts).
// Errors are the 400s the real kubelet gives, so kubectl prints what users know:
// `container "app" in pod "web" is waiting to start: ContainerCreating`.

import net from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import type { Pod } from '../../lib/api/types.js';
import { badRequest } from '../../lib/errors.js';
import type { PodStreams } from '../pod-streams/pod-streams.js';
import type { AttachOptions, ContainerRuntime, ContainerStatus, ExecOptions, ExecSession, LogOptions } from '../runtime/container-runtime.js';
import { attemptsNewestFirst } from './pod-actions.js';

export class KubeletStreams implements PodStreams {
  constructor(private readonly runtime: ContainerRuntime) {}

  /**
   * The container's name, defaulting to the only app container; init containers (and sidecars)
   * and ephemeral containers are reached by name, as with kubectl logs -c; a name the pod does not have is a 400.
   */
  private containerName(pod: Pod, container: string): string {
    const names = pod.spec.containers.map((c) => c.name);
    const initNames = (pod.spec.initContainers ?? []).map((c) => c.name);
    const ephemeralNames = (pod.spec.ephemeralContainers ?? []).map((c) => c.name);
    if (!container) {
      if (names.length === 1) return names[0];
      const init = initNames.length ? ` or one of the init containers: [${initNames.join(' ')}]` : '';
      throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]${init}`);
    }
    if (![...names, ...initNames, ...ephemeralNames].includes(container)) throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
    return container;
  }

  private async attempts(pod: Pod, name: string): Promise<ContainerStatus[]> {
    return attemptsNewestFirst((await this.runtime.listContainers({ podUid: pod.metadata.uid })).filter((c) => c.name === name));
  }

  private waitingError(pod: Pod, name: string): Error {
    const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
    const reason = statuses.find((s) => s.name === name)?.state.waiting?.reason ?? 'ContainerCreating';
    return badRequest(`container "${name}" in pod "${pod.metadata.name}" is waiting to start: ${reason}`);
  }

  async logs(pod: Pod, container: string, options: LogOptions & { previous?: boolean }): Promise<Readable> {
    const name = this.containerName(pod, container);
    const attempts = (await this.attempts(pod, name)).filter((c) => c.state !== 'created');
    if (attempts.length === 0) throw this.waitingError(pod, name);
    const { previous, ...logOptions } = options;
    const target = previous ? attempts[1] : attempts[0];
    if (!target) throw badRequest(`previous terminated container "${name}" in pod "${pod.metadata.name}" not found`);
    return this.runtime.containerLogs(target.id, logOptions);
  }

  async exec(pod: Pod, container: string, options: ExecOptions): Promise<ExecSession> {
    return this.runtime.exec(await this.runningAttempt(pod, container), options);
  }

  async attach(pod: Pod, container: string, options: AttachOptions): Promise<ExecSession> {
    return this.runtime.attach(await this.runningAttempt(pod, container), options);
  }

  /** The id of the container's current attempt, which must be running (exec and attach need a process). */
  private async runningAttempt(pod: Pod, container: string): Promise<string> {
    const name = this.containerName(pod, container);
    const [current] = await this.attempts(pod, name);
    if (!current) throw this.waitingError(pod, name);
    if (current.state !== 'running') throw badRequest(`unable to upgrade connection: container not found ("${name}")`);
    return current.id;
  }

  async portForward(pod: Pod, port: number): Promise<Duplex> {
    const ip = pod.status?.podIP;
    if (!ip) throw badRequest(`pod ${pod.metadata.name} has no IP yet: it is not running`);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: ip, port });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', (err) => reject(badRequest(`error forwarding port ${port} to pod ${pod.metadata.name}: ${err.message}`)));
    });
  }
}
