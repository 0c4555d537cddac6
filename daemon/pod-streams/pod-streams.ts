// The streams of a running pod that the API server hands out: logs, exec, attach and port-forward.
//
// The real API server proxies these requests to the kubelet of the pod's node. kubelab's server
// asks a PodStreams: for pods on its own node, the in-process kubelet answers; for pods on other
// nodes (multi-host), an implementation that forwards to that node's agent does.
//
// This folder, daemon/pod-streams/, holds what the API server and the kubelet share about pod
// streams (this interface, the exec Status, the log query, the kubelet stream protocol and its
// frames), so that daemon/api and daemon/kubelet both import it and never each other.

import type { Duplex, Readable } from 'node:stream';
import type { Pod } from '../../lib/api/types.js';
import type { AttachOptions, ExecOptions, ExecSession, LogOptions } from '../runtime/container-runtime.js';

export interface PodStreams {
  /**
   * The log of one container of the pod (stdout and stderr interleaved). `previous` reads the
   * last terminated attempt. Fails with a 400 ApiError when the container has not started.
   */
  logs(pod: Pod, container: string, options: LogOptions & { previous?: boolean }): Promise<Readable>;
  /** Runs a command in a running container of the pod. */
  exec(pod: Pod, container: string, options: ExecOptions): Promise<ExecSession>;
  /** Joins a running container's main process: its stdin (if the container keeps one open) and output from now on. */
  attach(pod: Pod, container: string, options: AttachOptions): Promise<ExecSession>;
  /** A TCP connection to `port` inside the pod's network namespace. */
  portForward(pod: Pod, port: number): Promise<Duplex>;
}
