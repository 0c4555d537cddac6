// The kubelet's own stream server: how the API server reaches `kubectl logs`, `exec` and
// `port-forward` for a pod on another node. In Kubernetes the kubelet listens on :10250 and
// kube-apiserver proxies these requests to it; kubelab does the same. Every node (the server's own
// included, on a multi-host cluster) runs one, on its InternalIP and the port it publishes in
// Node.status.daemonEndpoints.kubeletEndpoint.Port. It serves pods from the node's PodStreams
// (KubeletStreams over the container runtime); daemon/api/kubelet-client.ts is the other end.
//
// Security, both ways by the cluster CA (kube-apiserver with --kubelet-certificate-authority and
// --kubelet-client-certificate): the server serves the certificate the cluster CA issued for this
// node at join (CN system:node:<name>, SANs its name and IPs), which the API server verifies; and
// every caller must present a client certificate of the same CA whose common name is
// kube-apiserver-kubelet-client, which only the API server holds (daemon/pki/pki.ts). No node
// holds anything that opens another node's kubelet. Anything else is a 401.
//
// The endpoints, headers and frames both ends agree on are the contract in
// daemon/pod-streams/kubelet-stream-protocol.ts.

import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Pod } from '../../lib/api/types.js';
import type { NodeUsageReport } from '../../lib/metrics/usage-report.js';
import { ApiError, badRequest, errorMessage, internalError } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import { rejectUpgrade } from '../http/reject-upgrade.js';
import { attachOptionsOfQuery, execOptionsOfQuery, KUBELET_STREAM_UPGRADE, parseKubeletPath, POD_HEADER, portOfQuery, type KubeletRequest } from '../pod-streams/kubelet-stream-protocol.js';
import { logOptionsOf } from '../pod-streams/log-options.js';
import type { PodStreams } from '../pod-streams/pod-streams.js';
import { failureStatus } from '../pod-streams/exec-status.js';
import { KUBELET_CLIENT_COMMON_NAME } from '../pki/pki.js';
import type { ExecSession } from '../runtime/container-runtime.js';
import { encodeExit, FramedSocket, StreamChannel } from '../pod-streams/kubelet-stream-frames.js';
import type { NodeViews } from '../node-views/node-views.js';

/** Pods travel in a header: allow more than Node's 16 KiB default. */
const MAX_HEADER_BYTES = 1024 * 1024;

export interface KubeletServerOptions {
  /** The node's InternalIP (or 127.0.0.1 in tests). */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  streams: PodStreams;
  /** The node's serving certificate and key, and the cluster CA that callers' client certificates must chain to. */
  tls: KubeletServerTls;
  /** Reads a pod from the API, for callers that do not send it along. */
  getPod(namespace: string, name: string): Promise<Pod>;
  /** The usage sampler's latest report, served at GET /stats/usage (the metrics API reads it). */
  usage?: () => NodeUsageReport;
  /** The node agent's Prometheus metrics in the text format, served at GET /metrics. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** The node's gossip table and network (daemon/node-views/), served at GET /gossip/members (?watch=true: its changes) and GET /network. */
  views?: () => NodeViews;
}

/** Where the kubelet serves its usage report (JSON, lib/metrics/usage-report.ts's NodeUsageReport). */
export const USAGE_PATH = '/stats/usage';
/** Where the kubelet serves the node agent's Prometheus metrics. */
export const METRICS_PATH = '/metrics';
/** Where the kubelet serves its node's gossip table (a MembersView); with ?watch=true, its changes as NDJSON (MemberChange per line). */
export const MEMBERS_PATH = '/gossip/members';
/** Where the kubelet serves its node's network (a NodeNetworkReport). */
export const NETWORK_PATH = '/network';

export interface KubeletServerTls {
  certPem: string;
  keyPem: string;
  caPem: string;
}

export interface KubeletServer {
  port: number;
  close(): Promise<void>;
}

/** Is the caller the API server: a client certificate the cluster CA signed, with the API server's kubelet-client name? */
export function callerIsApiServer(socket: unknown): boolean {
  const tlsSocket = socket as TLSSocket;
  if (!tlsSocket.authorized) return false; // no certificate, or one the cluster CA did not sign
  return tlsSocket.getPeerCertificate()?.subject?.CN === KUBELET_CLIENT_COMMON_NAME;
}

const unauthorizedError = (): ApiError =>
  new ApiError(
    401,
    'Unauthorized',
    `Unauthorized: this kubelet answers only the API server, which presents a client certificate signed by the cluster CA with common name ${KUBELET_CLIENT_COMMON_NAME}`,
  );

export async function startKubeletServer(options: KubeletServerOptions): Promise<KubeletServer> {
  // The handshake asks for a client certificate but lets a connection without one through, so
  // that the refusal is a 401 that says why rather than a cut handshake.
  const server = https.createServer({
    key: options.tls.keyPem,
    cert: options.tls.certPem,
    ca: options.tls.caPem,
    requestCert: true,
    rejectUnauthorized: false,
    maxHeaderSize: MAX_HEADER_BYTES,
  });
  const sockets = new Set<Duplex>();
  server.on('connection', (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    serveRequest(options, req, res).catch((err: unknown) => answerError(res, err));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy()); // a caller that vanishes must not take the node down
    serveUpgrade(options, req, socket, head).catch((err: unknown) => rejectUpgrade(socket, asApiError(err)));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Follows and execs would keep the server open forever: cut them.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  logger('kubelet').error('stream server: request failed', { err, withStack: true });
  return internalError(errorMessage(err), err);
}

function answerError(res: ServerResponse, err: unknown): void {
  const error = asApiError(err);
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  res.writeHead(error.code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(error.toStatus()));
}

/** The pod the request means: the one sent along, or the API's; a different uid is a 404. */
async function resolvePod(options: KubeletServerOptions, req: IncomingMessage, target: KubeletRequest, query: URLSearchParams): Promise<Pod> {
  const header = req.headers[POD_HEADER];
  let pod: Pod;
  if (typeof header === 'string' && header !== '') {
    try {
      pod = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as Pod;
    } catch {
      throw badRequest(`the ${POD_HEADER} header is not base64 of a Pod's JSON`);
    }
    if (pod?.metadata?.namespace !== target.namespace || pod.metadata.name !== target.name) {
      throw badRequest(`the ${POD_HEADER} header holds pod ${pod?.metadata?.namespace}/${pod?.metadata?.name}, the path names ${target.namespace}/${target.name}`);
    }
  } else {
    pod = await options.getPod(target.namespace, target.name);
  }
  const uid = target.uid ?? query.get('podUID') ?? undefined;
  if (uid && pod.metadata.uid !== uid) {
    throw new ApiError(404, 'NotFound', `pod ${target.namespace}/${target.name} with UID ${uid} not found: it was deleted (now UID ${pod.metadata.uid})`, { name: target.name, kind: 'pods' });
  }
  return pod;
}

async function serveRequest(options: KubeletServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!callerIsApiServer(req.socket)) throw unauthorizedError();
  const url = new URL(req.url ?? '/', 'https://kubelet.invalid');
  if (req.method === 'GET' && url.pathname === METRICS_PATH && options.metrics) {
    const { contentType, body } = await options.metrics();
    res.writeHead(200, { 'Content-Type': contentType });
    res.end(body);
    return;
  }
  if (req.method === 'GET' && url.pathname === USAGE_PATH && options.usage) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(options.usage()));
    return;
  }
  const views = options.views?.();
  if (req.method === 'GET' && url.pathname === MEMBERS_PATH && views) return serveMembers(views, url.searchParams.get('watch') === 'true', res);
  if (req.method === 'GET' && url.pathname === NETWORK_PATH && views) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(await views.network()));
    return;
  }
  const target = parseKubeletPath(url.pathname);
  if (req.method !== 'GET' || target?.kind !== 'containerLogs') {
    throw new ApiError(404, 'NotFound', `the kubelet has no endpoint ${req.method} ${url.pathname} (exec and portForward need an Upgrade: ${KUBELET_STREAM_UPGRADE})`);
  }
  const pod = await resolvePod(options, req, target, url.searchParams);
  const stream = await options.streams.logs(pod, target.container, logOptionsOf(Object.fromEntries(url.searchParams)));
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.flushHeaders();
  res.on('close', () => stream.destroy()); // the caller went away: stop following
  stream.on('error', (err) => res.destroy(err));
  stream.pipe(res);
}

/** The gossip table, or (watch) one JSON line per change until the caller goes away. */
export function serveMembers(views: NodeViews, watch: boolean, res: ServerResponse): void {
  if (!watch) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(views.members()));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  const unsubscribe = views.onMemberChange((change) => res.write(JSON.stringify(change) + '\n'));
  res.on('close', unsubscribe);
}

function acceptUpgrade(socket: Duplex, head: Buffer): void {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${KUBELET_STREAM_UPGRADE}\r\n\r\n`);
  if (head.length > 0) socket.unshift(head);
}

async function serveUpgrade(options: KubeletServerOptions, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  if (!callerIsApiServer(req.socket)) throw unauthorizedError();
  const url = new URL(req.url ?? '/', 'https://kubelet.invalid');
  const target = parseKubeletPath(url.pathname);
  if ((req.headers.upgrade ?? '').toLowerCase() !== KUBELET_STREAM_UPGRADE || !target || target.kind === 'containerLogs') {
    throw new ApiError(404, 'NotFound', `the kubelet has no endpoint ${req.method} ${url.pathname} with Upgrade: ${req.headers.upgrade ?? ''}`);
  }
  const pod = await resolvePod(options, req, target, url.searchParams);
  if (target.kind === 'exec') return serveExec(options, socket, head, await options.streams.exec(pod, target.container, execOptionsOfQuery(url.searchParams)));
  if (target.kind === 'attach') return serveExec(options, socket, head, await options.streams.attach(pod, target.container, attachOptionsOfQuery(url.searchParams)));
  return servePortForward(options, socket, head, pod, portOfQuery(url.searchParams));
}

/** An exec or attach session over the upgraded connection (a failure to start it came before the 101, as an HTTP Status). */
async function serveExec(options: KubeletServerOptions, socket: Duplex, head: Buffer, session: ExecSession): Promise<void> {
  acceptUpgrade(socket, head);
  const framed = new FramedSocket(socket, {
    onFrame: ({ channel, payload }) => {
      if (channel === StreamChannel.STDIN && session.stdin) framed.deliver(session.stdin, payload);
      else if (channel === StreamChannel.CLOSE && payload[0] === StreamChannel.STDIN) session.stdin?.end();
      else if (channel === StreamChannel.RESIZE) {
        const size = JSON.parse(payload.toString('utf8')) as { width: number; height: number };
        session.resize(size.width, size.height).catch(() => undefined); // a resize racing the exit is harmless
      }
    },
    // The caller went away: the process reads EOF on stdin, as with a closed terminal.
    onEnd: () => session.stdin?.end(),
  });
  const output = [framed.pump(session.stdout, StreamChannel.STDOUT)];
  if (session.stderr) output.push(framed.pump(session.stderr, StreamChannel.STDERR));
  try {
    const exitCode = await session.exitCode;
    await Promise.all(output); // every byte of output goes before the exit code
    framed.sendRaw(encodeExit(exitCode));
  } catch (err) {
    framed.send(StreamChannel.ERROR, JSON.stringify(failureStatus(err)));
  }
  socket.end();
}

async function servePortForward(options: KubeletServerOptions, socket: Duplex, head: Buffer, pod: Pod, port: number): Promise<void> {
  const target = await options.streams.portForward(pod, port); // a refused port is an HTTP Status
  acceptUpgrade(socket, head);
  let callerDone!: () => void;
  const callerClosed = new Promise<void>((resolve) => (callerDone = resolve));
  const framed = new FramedSocket(socket, {
    onFrame: ({ channel, payload }) => {
      if (channel === StreamChannel.STDIN) framed.deliver(target, payload);
      else if (channel === StreamChannel.CLOSE && payload[0] === StreamChannel.STDIN) {
        target.end(); // half-close: the pod reads EOF and may still answer
        callerDone();
      }
    },
    onEnd: () => {
      target.destroy();
      callerDone();
    },
  });
  target.once('error', (err) => {
    framed.send(StreamChannel.ERROR, JSON.stringify(badRequest(`error forwarding port ${port} to pod ${pod.metadata.namespace}/${pod.metadata.name}: ${err.message}`).toStatus()));
    socket.end();
  });
  await Promise.all([framed.pump(target, StreamChannel.STDOUT), callerClosed]);
  socket.end();
}
