// What a streaming request asks for, decided purely from its URL, headers and the pod.
//
// kube-apiserver answers `pods/{name}/exec`, `/attach` and `/portforward` by checking the pod
// (it must exist, not be finished, have the container) and then proxying the upgraded
// connection to the kubelet. These functions are that check, with the API server's own error
// messages, so the upgrade handler only has to perform what they decide.

import type { IncomingHttpHeaders } from 'node:http';
import type { Pod } from '../../../lib/api/types.js';
import { badRequest } from '../../../lib/errors.js';
import type { ExecOptions } from '../../runtime/container-runtime.js';
import { decodePathSegment } from '../resource-path.js';

export type StreamSubresource = 'exec' | 'attach' | 'portforward';

/** How the client wants to talk once the connection is upgraded. */
export type StreamTransport = 'websocket' | 'spdy';

export interface StreamTarget {
  namespace: string;
  name: string;
  subresource: StreamSubresource;
}

const STREAM_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)\/?$/;

/** `/api/v1/namespaces/default/pods/web/exec` → its parts; undefined for any other path. */
export function parseStreamPath(pathname: string): StreamTarget | undefined {
  const match = STREAM_PATH.exec(pathname);
  if (!match) return undefined;
  return { namespace: decodePathSegment(match[1]), name: decodePathSegment(match[2]), subresource: match[3] as StreamSubresource };
}

/**
 * WebSocket is a GET with `Upgrade: websocket`; SPDY is a POST with `Upgrade: SPDY/3.1`
 * (kubectl uses it when the WebSocket attempt fails). Anything else is not ours.
 */
export function streamTransportOf(method: string | undefined, headers: IncomingHttpHeaders): StreamTransport | undefined {
  const upgrade = (headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket' && method === 'GET') return 'websocket';
  if (upgrade.startsWith('spdy/3') && (method === 'POST' || method === 'GET')) return 'spdy';
  return undefined;
}

const isTrue = (query: URLSearchParams, name: string): boolean => {
  const value = query.get(name);
  return value === 'true' || value === '1';
};

/**
 * The container to stream from, chosen as the API server does: the `container` query parameter,
 * else the pod's `kubectl.kubernetes.io/default-container` annotation, else the first container.
 * (A requested name may also be an init or ephemeral container.)
 */
export function pickContainer(pod: Pod, requested: string | null): string {
  const names = pod.spec.containers.map((c) => c.name);
  const chosen = requested || pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] || names[0];
  // Named explicitly, any of the pod's containers will do: an init container, or the ephemeral
  // container `kubectl debug` attaches to.
  const others = [...(pod.spec.initContainers ?? []), ...(pod.spec.ephemeralContainers ?? [])].map((c) => c.name);
  if (!chosen || !(names.includes(chosen) || (requested && others.includes(chosen)))) {
    throw badRequest(`container ${chosen ?? ''} is not valid for pod ${pod.metadata.name}`);
  }
  return chosen;
}

/** Exec and attach need a container that can still run something. */
export function checkPodAcceptsExec(pod: Pod): void {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
}

/** Port-forward needs the pod's network namespace, which exists only while the pod runs. */
export function checkPodAcceptsPortForward(pod: Pod): void {
  const phase = pod.status?.phase ?? 'Pending';
  if (phase !== 'Running') {
    throw badRequest(`unable to forward port because pod is not running. Current status=${phase}`);
  }
}

/**
 * The exec/attach query: `command` once per argv element, `stdin`, `stdout`, `stderr`, `tty`.
 * With a TTY there is no separate stderr (the terminal merges it into stdout).
 */
export function execOptionsFrom(query: URLSearchParams, subresource: 'exec' | 'attach'): ExecOptions {
  const tty = isTrue(query, 'tty');
  const options: ExecOptions = {
    command: query.getAll('command'),
    stdin: isTrue(query, 'stdin'),
    stdout: isTrue(query, 'stdout'),
    stderr: isTrue(query, 'stderr') && !tty,
    tty,
  };
  if (subresource === 'exec' && options.command.length === 0) {
    throw badRequest('you must specify at least 1 command');
  }
  if (!options.stdin && !options.stdout && !options.stderr) {
    throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  }
  return options;
}

/** `?ports=80,8080` or `?ports=80&ports=8080` (client-node's WebSocket port-forward). */
export function portsFrom(query: URLSearchParams): number[] {
  const ports = query
    .getAll('ports')
    .flatMap((value) => value.split(','))
    .filter((value) => value.trim() !== '')
    .map((value) => {
      const port = Number(value.trim());
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw badRequest(`invalid port "${value}": must be a number between 1 and 65535`);
      return port;
    });
  return ports;
}
