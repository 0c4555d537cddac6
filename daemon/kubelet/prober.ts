// The prober: one attempt of one container probe (kubelet's prober.go with pkg/probe/http, tcp
// and exec). It answers a single question - did the container pass this time? - and leaves
// counting, thresholds and what to do about a failure to the probe worker and the pod worker.
//
// The three handlers, as Kubernetes runs them:
// - httpGet: GET http://<podIP>:<port><path> from the node, with the probe's headers (a `Host`
//   header overrides the host the server sees); any status from 200 to 399 passes. Redirects are
//   not followed: a 3xx is itself a pass. The node reaches the pod directly on its IP, which is
//   why probes need no Service and no port published on the host.
// - tcpSocket: the port accepts a TCP connection. Nothing is sent.
// - exec: the command runs inside the container (like `kubelab exec`); exit code 0 passes. Its
//   output only becomes the failure message.
// - grpc: the standard gRPC health check (grpc.health.v1.Health/Check) on podIP:port, without
//   TLS; SERVING passes (grpc-health.ts).
// Each attempt gets `timeoutSeconds`; a slow answer is a failure.
//
// Failures carry Kubernetes' messages, so `kubelab describe` reads like kubectl's:
//   Liveness probe failed: HTTP probe failed with statuscode: 500
//   Readiness probe failed: dial tcp 10.244.0.5:3000: connect: connection refused
// `error` is for a probe that could not run at all (a named port the container does not have, a
// runtime that could not exec); Kubernetes reports it and does not count it.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Readable } from 'node:stream';
import type { Container, Probe } from '../../lib/api/types.js';
import { errorMessage } from '../../lib/errors.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { grpcProbe } from './grpc-health.js';
import type { ProbeAttempt, ProbeType } from './probe-state.js';

export interface ProbeTarget {
  /** Where httpGet and tcpSocket probes connect: the pod's IP (a test can point it at 127.0.0.1). */
  podIP: string;
  /** The runtime's ID of the container (exec probes run in it). */
  containerId: string;
  /** The container's spec, for named ports. */
  container: Container;
}

export interface ProbeOutcome {
  attempt: ProbeAttempt;
  /** Why it failed or errored, without the "Liveness probe failed: " prefix. */
  message?: string;
}

/** What the probe workers need: one attempt. The kubelet's tests swap in a scripted one. */
export interface ContainerProber {
  probe(type: ProbeType, probe: Probe, target: ProbeTarget): Promise<ProbeOutcome>;
}

/** The most output read from an exec probe or an HTTP body (Kubernetes: 10 KiB). */
const MAX_OUTPUT_BYTES = 10 * 1024;
/** Kubernetes' probes say who they are; servers can tell them from users in their logs. */
const USER_AGENT = 'kube-probe/1.30';

/** `Liveness probe failed: ...`, the text of the Unhealthy event. */
export function probeEventMessage(type: ProbeType, outcome: ProbeOutcome): string {
  const kind = `${type[0].toUpperCase()}${type.slice(1)}`;
  return `${kind} probe ${outcome.attempt === 'error' ? 'errored' : 'failed'}: ${outcome.message ?? ''}`;
}

export class Prober implements ContainerProber {
  constructor(private readonly runtime: Pick<ContainerRuntime, 'exec'>) {}

  async probe(_type: ProbeType, probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
    const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
    try {
      if (probe.exec) return await execProbe(this.runtime, target.containerId, probe.exec.command, timeoutMs);
      if (probe.httpGet) {
        const get = probe.httpGet;
        const port = resolvePort(get.port, target.container);
        const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: '*/*' };
        for (const h of get.httpHeaders ?? []) headers[h.name] = h.value;
        return await httpProbe({ scheme: get.scheme ?? 'HTTP', host: get.host || target.podIP, port, path: get.path ?? '/', headers }, timeoutMs);
      }
      if (probe.tcpSocket) return await tcpProbe(probe.tcpSocket.host || target.podIP, resolvePort(probe.tcpSocket.port, target.container), timeoutMs);
      if (probe.grpc) return await grpcProbe(target.podIP, probe.grpc.port, probe.grpc.service ?? '', timeoutMs);
      return { attempt: 'error', message: 'probe has no handler: set one of exec, httpGet, tcpSocket or grpc' };
    } catch (err) {
      return { attempt: 'error', message: errorMessage(err) };
    }
  }
}

/** A port by number, or by the name of one of the container's ports (`port: http`). */
export function resolvePort(port: number | string, container: Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = (container.ports ?? []).find((p) => p.name === port);
  if (!named) throw new Error(`couldn't find port "${port}" in container "${container.name}": add it to its ports with that name, or use the port number`);
  return named.containerPort;
}

const hostPort = (host: string, port: number) => (net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`);

/** A socket error as Go's net package words it (what users see in Kubernetes' events). */
function dialError(host: string, port: number, err: NodeJS.ErrnoException): string {
  const words: Record<string, string> = {
    ECONNREFUSED: 'connect: connection refused',
    EHOSTUNREACH: 'connect: no route to host',
    ENETUNREACH: 'connect: network is unreachable',
    ECONNRESET: 'read: connection reset by peer',
  };
  return `dial tcp ${hostPort(host, port)}: ${words[err.code ?? ''] ?? err.message}`;
}

export interface HttpProbeRequest {
  scheme: 'HTTP' | 'HTTPS';
  host: string;
  port: number;
  path: string;
  headers: Record<string, string>;
}

export function httpProbe(request: HttpProbeRequest, timeoutMs: number): Promise<ProbeOutcome> {
  const { scheme, host, port, headers } = request;
  const path = request.path.startsWith('/') ? request.path : `/${request.path}`;
  const url = `${scheme.toLowerCase()}://${hostPort(host, port)}${path}`;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(outcome);
    };
    // Kubernetes does not check the pod's certificate (it has no way to know what to trust).
    const options = { host, port, path, method: 'GET', headers, agent: false as const, ...(scheme === 'HTTPS' ? { rejectUnauthorized: false } : {}) };
    const req = (scheme === 'HTTPS' ? https : http).request(options, (res) => {
      const status = res.statusCode ?? 0;
      // Read a little of the body (the server may wait for us to), then decide on the status.
      let read = 0;
      const decide = () => finish(status >= 200 && status < 400 ? { attempt: 'success' } : { attempt: 'failure', message: `HTTP probe failed with statuscode: ${status}` });
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read >= MAX_OUTPUT_BYTES) decide();
      });
      res.on('end', decide);
      res.on('error', decide);
    });
    req.on('error', (err: NodeJS.ErrnoException) => finish({ attempt: 'failure', message: `Get "${url}": ${dialError(host, port, err)}` }));
    const timer = setTimeout(() => finish({ attempt: 'failure', message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` }), timeoutMs);
    req.end();
  });
}

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (outcome: ProbeOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    socket.once('connect', () => finish({ attempt: 'success' }));
    socket.once('error', (err: NodeJS.ErrnoException) => finish({ attempt: 'failure', message: dialError(host, port, err) }));
    const timer = setTimeout(() => finish({ attempt: 'failure', message: `dial tcp ${hostPort(host, port)}: i/o timeout` }), timeoutMs);
  });
}

/**
 * Runs the command in the container; exit code 0 passes. On a timeout the command is left
 * running (Kubernetes cannot stop it either) and its output is drained and dropped.
 */
export async function execProbe(runtime: Pick<ContainerRuntime, 'exec'>, containerId: string, command: string[], timeoutMs: number): Promise<ProbeOutcome> {
  const commandText = JSON.stringify(command.join(' '));
  const session = await runtime.exec(containerId, { command, stdin: false, stdout: true, stderr: true, tty: false });
  let output = '';
  const collect = (stream: Readable | undefined) =>
    stream?.on('data', (chunk: Buffer | string) => {
      if (output.length < MAX_OUTPUT_BYTES) output += chunk.toString();
    });
  collect(session.stdout);
  collect(session.stderr);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const exitCode = session.exitCode.catch((err: unknown) => err as Error);
  const ended = await Promise.race([exitCode, timedOut]);
  clearTimeout(timer);
  if (ended === 'timeout') return { attempt: 'failure', message: `command ${commandText} timed out` };
  if (ended instanceof Error) return { attempt: 'error', message: `command ${commandText}: ${ended.message}` };
  if (ended === 0) return { attempt: 'success' };
  // Kubernetes reports what the command printed; a silent command gets its exit code instead.
  await Promise.race([streamsEnded(session.stdout, session.stderr), new Promise((r) => setTimeout(r, 100))]);
  const printed = output.slice(0, MAX_OUTPUT_BYTES).trim();
  return { attempt: 'failure', message: printed || `command ${commandText} exited with ${ended}` };
}

function streamsEnded(...streams: (Readable | undefined)[]): Promise<unknown> {
  return Promise.all(streams.filter((s): s is Readable => !!s && !s.readableEnded).map((s) => new Promise((r) => (s.once('end', r), s.once('close', r)))));
}
