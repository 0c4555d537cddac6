// The contract between the API server and a node's kubelet stream server: how `kubectl logs`,
// `exec` and `port-forward` for a pod on another node travel. Kubernetes' kube-apiserver proxies
// these requests to the kubelet's :10250; kubelab does the same with its own small protocol, and
// this file is the one place both ends (daemon/api/kubelet-client.ts, the caller, and
// daemon/kubelet/kubelet-server.ts, the server) take it from, so neither imports the other:
// below, how the caller writes a request and, next to it, how the kubelet reads it back.
//
// Endpoints (the real kubelet's paths):
//   GET /containerLogs/{namespace}/{pod}/{container}?podUID&follow&tailLines&timestamps&previous&sinceSeconds&sinceTime&limitBytes
//       → 200 text/plain, the log streamed as it is written.
//   GET /exec/{namespace}/{pod}/{uid}/{container}?command=sh&command=-c&...&stdin=1&stdout=1&stderr=1&tty=1
//   GET /attach/{namespace}/{pod}/{uid}/{container}?stdin=1&stdout=1&stderr=1&tty=1
//   GET /portForward/{namespace}/{pod}/{uid}?port=8080
//       with `Connection: Upgrade`, `Upgrade: kubelab-stream` → 101, then framed streams.
// The caller may send the Pod it already read in `X-Kubelab-Pod` (base64 of its JSON), which
// saves a round trip to the API; otherwise the server asks getPod. A uid that does not match is a
// 404: the pod was deleted and recreated under the same name meanwhile.
// Errors before the upgrade (no such container, container not running, port refused) are HTTP
// answers with a Kubernetes Status body and its code, so the API server passes them on as they are.
//
// After the 101 the connection carries frames (kubelet-stream-frames.ts: channel byte, length,
// payload):
//   exec, attach:  caller → kubelet: STDIN bytes, CLOSE(STDIN) = EOF on stdin, RESIZE {"width","height"}.
//                  kubelet → caller: STDOUT and STDERR bytes, CLOSE(STDOUT), CLOSE(STDERR) when they
//                  end, then EXIT with the exit code (or ERROR with a Status), then the kubelet
//                  ends the connection.
//   port-forward:  one connection per forwarded TCP connection. Caller → pod bytes on STDIN,
//                  pod → caller bytes on STDOUT; CLOSE(STDIN) half-closes towards the pod (the
//                  pod reads EOF and may still answer), CLOSE(STDOUT) says the pod finished
//                  sending. When both directions are closed the kubelet ends the connection; a
//                  failed pod connection is an ERROR frame, then the end.

import type { Pod } from '../../lib/api/types.js';
import { badRequest } from '../../lib/errors.js';
import type { AttachOptions, ExecOptions, LogOptions } from '../runtime/container-runtime.js';

/** The `Upgrade:` token of an exec or port-forward request; the kubelet answers 101 with it. */
export const KUBELET_STREAM_UPGRADE = 'kubelab-stream';
/** The header that carries the Pod the caller already read (base64 of its JSON). */
export const POD_HEADER = 'x-kubelab-pod';

// The caller's side: a request as path, query and header.

/** A Pod for the X-Kubelab-Pod header: everything but the bookkeeping that can make it large. */
export function encodePodHeader(pod: Pod): string {
  const annotations = { ...pod.metadata.annotations };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  const slim = { ...pod, metadata: { ...pod.metadata, managedFields: undefined, annotations } };
  return Buffer.from(JSON.stringify(slim), 'utf8').toString('base64');
}

/** LogOptions as the kubelet's query string (read back by logOptionsOf, log-options.ts). */
export function logQuery(pod: Pod, options: LogOptions & { previous?: boolean }): URLSearchParams {
  const query = new URLSearchParams({ podUID: pod.metadata.uid ?? '' });
  for (const [name, value] of Object.entries(options)) if (value !== undefined && value !== false) query.set(name, String(value));
  return query;
}

/** ExecOptions as the kubelet's query string (read back by execOptionsOfQuery below). */
export function execQuery(options: ExecOptions | AttachOptions): URLSearchParams {
  const query = new URLSearchParams();
  for (const part of 'command' in options ? options.command : []) query.append('command', part);
  for (const flag of ['stdin', 'stdout', 'stderr', 'tty'] as const) if (options[flag]) query.set(flag, '1');
  return query;
}

// The kubelet's side: the same request read back.

export type KubeletRequest =
  | { kind: 'containerLogs'; namespace: string; name: string; container: string; uid?: string }
  | { kind: 'exec'; namespace: string; name: string; container: string; uid?: string }
  | { kind: 'attach'; namespace: string; name: string; container: string; uid?: string }
  | { kind: 'portForward'; namespace: string; name: string; uid?: string };

/** Which endpoint a path names (undefined: none). Pure, so the routes are table-tested. */
export function parseKubeletPath(pathname: string): KubeletRequest | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeSegment);
  const [kind, namespace, name, ...rest] = parts;
  if (!namespace || !name) return undefined;
  if (kind === 'containerLogs' && rest.length === 1) return { kind, namespace, name, container: rest[0] };
  if ((kind === 'exec' || kind === 'attach') && rest.length === 1) return { kind, namespace, name, container: rest[0] };
  if ((kind === 'exec' || kind === 'attach') && rest.length === 2) return { kind, namespace, name, uid: rest[0], container: rest[1] };
  if (kind === 'portForward' && rest.length === 0) return { kind, namespace, name };
  if (kind === 'portForward' && rest.length === 1) return { kind, namespace, name, uid: rest[0] };
  return undefined;
}

/** A broken percent-encoding (`%E0%A4%A`) is the caller's mistake: a 400, never a 500. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`the path segment ${JSON.stringify(segment)} is not valid percent-encoded UTF-8`);
  }
}

export function execOptionsOfQuery(query: URLSearchParams): ExecOptions {
  const command = query.getAll('command');
  if (command.length === 0) throw badRequest('exec needs a command: at least one "command" query parameter');
  return { command, ...attachOptionsOfQuery(query) };
}

/** An attach's streams (no command: it joins the container's main process). */
export function attachOptionsOfQuery(query: URLSearchParams): AttachOptions {
  const flag = (name: string) => ['1', 'true'].includes(query.get(name) ?? '');
  return { stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') };
}

export function portOfQuery(query: URLSearchParams): number {
  const raw = query.get('port') ?? '';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) throw badRequest(`port-forward needs "port", a TCP port 1-65535, got "${raw}"`);
  return port;
}
