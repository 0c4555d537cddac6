// Container lifecycle hooks: the kubelet's pkg/kubelet/lifecycle/handlers.go.
//
// - postStart runs right after the container started, while the kubelet waits: the container
//   counts as started only once it returned. If it fails, the kubelet records
//   FailedPostStartHook, kills the container, and the restartPolicy decides what comes next.
// - preStop runs before the stop signal, when the kubelet stops a running container (the pod is
//   deleted, a probe failed, the deadline passed); the time it takes comes out of the grace
//   period, and the container gets at least 2 more seconds after it. If it fails, the kubelet
//   records FailedPreStopHook and stops the container anyway.
// Handlers: `exec` (a command inside the container; exit code 0 passes), `httpGet` (a GET from
// the node to the pod IP; only a connection error fails it, the status code is not looked at,
// as in Kubernetes) and `sleep` (waits, in the kubelet). `tcpSocket` is kept by the API for old
// manifests and fails at run time, as the API documentation says it does.
// The messages are the kubelet's, so `kubelab describe` reads like kubectl's.

import http from 'node:http';
import https from 'node:https';
import type { Container, LifecycleHandler, Pod } from '../../lib/api/types.js';
import { errorMessage } from '../../lib/errors.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { resolvePort } from './prober.js';

export interface HookTarget {
  pod: Pod;
  container: Container;
  containerId: string;
  /** Where an httpGet hook connects unless it names a host. */
  podIP: string;
}

const describePod = (pod: Pod) => `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
/** How Go prints a []string: `[sh -c echo hi]`. */
const goList = (items: string[]) => `[${items.join(' ')}]`;

/**
 * Runs one hook handler; resolves with undefined when it passed, or with the kubelet's message
 * for the FailedPostStartHook / FailedPreStopHook event. Gives up after timeoutMs.
 */
export async function runLifecycleHandler(runtime: Pick<ContainerRuntime, 'exec'>, handler: LifecycleHandler, target: HookTarget, timeoutMs: number): Promise<string | undefined> {
  const who = `for Container "${target.container.name}" in Pod "${describePod(target.pod)}"`;
  if (handler.exec) {
    const command = handler.exec.command;
    const { exitCode, output, error } = await execWithTimeout(runtime, target.containerId, command, timeoutMs);
    if (error === undefined && exitCode === 0) return undefined;
    const cause = error ?? `command '${command.join(' ')}' exited with ${exitCode}: ${output}`;
    return `Exec lifecycle hook (${goList(command)}) ${who} failed - error: ${cause}, message: ${JSON.stringify(output)}`;
  }
  if (handler.httpGet) {
    const get = handler.httpGet;
    let port: number;
    try {
      port = resolvePort(get.port, target.container);
    } catch (err) {
      return `HTTP lifecycle hook (${get.path ?? ''}) ${who} failed - error: ${errorMessage(err)}`;
    }
    const error = await httpGet(get.scheme ?? 'HTTP', get.host || target.podIP, port, get.path ?? '/', get.httpHeaders ?? [], timeoutMs);
    return error === undefined ? undefined : `HTTP lifecycle hook (${get.path ?? ''}) ${who} failed - error: ${error}`;
  }
  if (handler.sleep) {
    const ms = Math.min(handler.sleep.seconds * 1000, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
    return undefined;
  }
  return `Cannot run handler: invalid handler: tcpSocket is not supported as a lifecycle hook ${who}`;
}

async function execWithTimeout(runtime: Pick<ContainerRuntime, 'exec'>, containerId: string, command: string[], timeoutMs: number): Promise<{ exitCode?: number; output: string; error?: string }> {
  let output = '';
  try {
    const session = await runtime.exec(containerId, { command, stdin: false, stdout: true, stderr: true, tty: false });
    const collect = (chunk: Buffer | string) => {
      if (output.length < 10 * 1024) output += chunk.toString();
    };
    session.stdout.on('data', collect);
    session.stderr?.on('data', collect);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const ended = await Promise.race([session.exitCode, timedOut]);
    clearTimeout(timer);
    if (ended === 'timeout') return { output, error: `command '${command.join(' ')}' timed out after ${Math.round(timeoutMs / 1000)}s` };
    await Promise.race([new Promise((r) => session.stdout.once('end', r)), new Promise((r) => setTimeout(r, 100))]);
    return { exitCode: ended, output };
  } catch (err) {
    return { output, error: errorMessage(err) };
  }
}

/** A GET whose only failure is not getting an answer (Go's `Get "url": dial tcp ...`). */
function httpGet(scheme: 'HTTP' | 'HTTPS', host: string, port: number, path: string, headers: { name: string; value: string }[], timeoutMs: number): Promise<string | undefined> {
  const fullPath = path.startsWith('/') ? path : `/${path}`;
  const url = `${scheme.toLowerCase()}://${host.includes(':') ? `[${host}]` : host}:${port}${fullPath}`;
  return new Promise((resolve) => {
    const requestHeaders: Record<string, string> = { 'User-Agent': 'kube-lifecycle/1.32' };
    for (const h of headers) requestHeaders[h.name] = h.value;
    const options = { host, port, path: fullPath, method: 'GET', headers: requestHeaders, agent: false as const, ...(scheme === 'HTTPS' ? { rejectUnauthorized: false } : {}) };
    const timer = setTimeout(() => {
      req.destroy();
      resolve(`Get "${url}": context deadline exceeded`);
    }, timeoutMs);
    const req = (scheme === 'HTTPS' ? https : http).request(options, (res) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const words: Record<string, string> = { ECONNREFUSED: 'connect: connection refused', EHOSTUNREACH: 'connect: no route to host' };
      resolve(`Get "${url}": dial tcp ${host}:${port}: ${words[err.code ?? ''] ?? err.message}`);
    });
    req.end();
  });
}
