// The API server's streaming endpoints: `pods/{name}/exec`, `/attach` and `/portforward`.
//
// These requests are not request/response: the client asks to upgrade the HTTP connection to a
// bidirectional protocol, so express never sees them; the HTTP server hands them here from
// `server.on('upgrade')`. Like kube-apiserver, this handler authenticates, loads the pod, checks
// that it can be streamed to, and then plays the kubelet's streaming server itself, asking the
// PodStreams seam for the process or the TCP connection inside the pod.
//
// Which protocol, by client:
//   kubectl exec/attach:    WebSocket `v5.channel.k8s.io` (ws-channel.ts); if that fails, SPDY/3.1
//                           (spdy-exec.ts).
//   kubectl port-forward:   SPDY/3.1 tunnelled in a WebSocket (`SPDY/3.1+portforward.k8s.io`);
//                           if that fails, SPDY/3.1 directly (spdy-port-forward.ts).
//   client-node:            WebSocket channel protocol for both (ws-channel.ts, ws-port-forward.ts).
// Errors before the upgrade are answered as plain HTTP with a Status body, which kubectl prints.

import type { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer, type WebSocket } from 'ws';
import { INPUT_CAP_DEFAULTS } from '../../config.js';
import type { Pod } from '../../../lib/api/types.js';
import { ApiError, badRequest, errorMessage, internalError } from '../../../lib/errors.js';
import { logger } from '../../../lib/logger.js';
import { rejectUpgrade } from '../../http/reject-upgrade.js';
import { peerCertificateOf, requestAttributesOf, type Authorizer, type UserInfo } from '../auth.js';
import type { PodStreams } from '../../pod-streams/pod-streams.js';
import type { Registry, RequestContext } from '../registry.js';
import { SpdySession } from './spdy.js';
import { serveSpdyExec, SPDY_EXEC_PROTOCOL } from './spdy-exec.js';
import { serveSpdyPortForward, SPDY_PORT_FORWARD_PROTOCOL, type PortForwardTarget } from './spdy-port-forward.js';
import {
  checkPodAcceptsExec,
  checkPodAcceptsPortForward,
  execOptionsFrom,
  parseStreamPath,
  pickContainer,
  portsFrom,
  streamTransportOf,
  type StreamTarget,
} from './stream-request.js';
import { CHANNEL_PROTOCOLS, chooseChannelProtocol, serveChannelExec } from './ws-channel.js';
import { serveChannelPortForward } from './ws-port-forward.js';

export interface UpgradeHandlerDeps {
  registry: Registry;
  podStreams: PodStreams;
  /**
   * The user behind the request's credentials (a name, or name and groups): its headers and the
   * client certificate of its TLS connection; throws a 401 ApiError.
   */
  authenticate: (headers: IncomingHttpHeaders, clientCertificate?: X509Certificate) => string | UserInfo | Promise<string | UserInfo>;
  /** Asked before the pod is loaded (nodes may not exec); absent: every authenticated user may stream. */
  authorizer?: Authorizer;
}

/** kubectl's WebSocket subprotocol for SPDY tunnelled in binary messages. */
const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
/**
 * The same token without the `/`, which is not allowed in a WebSocket subprotocol (RFC 6455 uses
 * RFC 7230 tokens) and makes the `ws` library refuse the handshake: it is renamed before the
 * handshake and restored in the 101 answer.
 */
const SPDY_TUNNEL_PLACEHOLDER = 'SPDY-3.1+portforward.k8s.io';

export function createUpgradeHandler(deps: UpgradeHandlerDeps): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    // A bigger message closes the connection (1009) before it is buffered whole.
    maxPayload: INPUT_CAP_DEFAULTS.websocketMaxPayloadBytes,
    handleProtocols: (offered) => (offered.has(SPDY_TUNNEL_PLACEHOLDER) ? SPDY_TUNNEL_PLACEHOLDER : chooseChannelProtocol(offered)),
  });
  wss.on('headers', (headers) => {
    for (let i = 0; i < headers.length; i++) headers[i] = headers[i].replace(SPDY_TUNNEL_PLACEHOLDER, SPDY_TUNNEL_PROTOCOL);
  });

  return (req, socket, head) => {
    // A client that disappears mid-handshake must not take the daemon down.
    socket.on('error', () => socket.destroy());
    handleUpgrade(deps, wss, req, socket, head).catch((err: unknown) => {
      if (!(err instanceof ApiError)) logger('apiserver').error(`${req.method} ${req.url} failed`, { err, withStack: true });
      rejectUpgrade(socket, err instanceof ApiError ? err : internalError(errorMessage(err), err));
    });
  };
}

/** Protocol versions a SPDY client offers: `X-Stream-Protocol-Version: v5.channel.k8s.io, v4...` */
function offeredStreamProtocols(headers: IncomingHttpHeaders): string[] {
  const raw = headers['x-stream-protocol-version'];
  return (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).split(',').map((p) => p.trim()).filter(Boolean);
}

function offeredWebSocketProtocols(headers: IncomingHttpHeaders): Set<string> {
  return new Set((headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean));
}

/** Completes a SPDY upgrade by hand: the 101 answer, then the socket carries SPDY frames. */
function acceptSpdy(socket: Duplex, head: Buffer, protocol: string): SpdySession {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  if (head.length > 0) socket.unshift(head);
  return new SpdySession(socket);
}

function acceptWebSocket(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<WebSocket> {
  return new Promise((resolve) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      // A frame the peer should not have sent (over maxPayload, a bad opcode, invalid UTF-8): ws
      // closes the connection with the right code (1009, 1002, 1007) and then emits 'error'. An
      // 'error' nobody listens to would be thrown, and end the whole daemon.
      ws.on('error', () => ws.terminate());
      resolve(ws);
    }),
  );
}

async function handleUpgrade(deps: UpgradeHandlerDeps, wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://upgrade.invalid');
  const target = parseStreamPath(url.pathname);
  const transport = streamTransportOf(req.method, req.headers);
  if (!target || !transport) {
    throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${req.method} ${url.pathname} with Upgrade: ${req.headers.upgrade ?? ''})`);
  }
  const who = await deps.authenticate(req.headers, peerCertificateOf(req.socket));
  const user: UserInfo = typeof who === 'string' ? { name: who, groups: [] } : who;
  await deps.authorizer?.authorize(user, requestAttributesOf(req.method ?? 'GET', url.pathname, Object.fromEntries(url.searchParams)));
  const ctx: RequestContext = { user: user.name, fieldValidation: 'Ignore', dryRun: false, warnings: [] };
  const pod = (await deps.registry.get('pods', target.namespace, target.name, ctx)) as Pod;

  if (target.subresource === 'portforward') return servePortForward(deps, wss, req, socket, head, pod, url.searchParams);
  return serveExec(deps, wss, req, socket, head, pod, target, url.searchParams);
}

async function serveExec(
  deps: UpgradeHandlerDeps,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  pod: Pod,
  target: StreamTarget,
  query: URLSearchParams,
): Promise<void> {
  checkPodAcceptsExec(pod);
  const container = pickContainer(pod, query.get('container'));
  const options = execOptionsFrom(query, target.subresource as 'exec' | 'attach');
  // attach has no command: the kubelet joins the container's main process instead.
  const start = () => (target.subresource === 'attach' ? deps.podStreams.attach(pod, container, options) : deps.podStreams.exec(pod, container, options));

  if (streamTransportOf(req.method, req.headers) === 'spdy') {
    if (!offeredStreamProtocols(req.headers).includes(SPDY_EXEC_PROTOCOL)) {
      throw badRequest(`unable to upgrade: the client offers none of the supported stream protocols [${SPDY_EXEC_PROTOCOL}]`);
    }
    await serveSpdyExec(acceptSpdy(socket, head, SPDY_EXEC_PROTOCOL), options, start);
    return;
  }
  if (!chooseChannelProtocol(offeredWebSocketProtocols(req.headers))) {
    throw badRequest(`unable to upgrade: the client offers none of the supported WebSocket subprotocols [${CHANNEL_PROTOCOLS.join(', ')}]`);
  }
  await serveChannelExec(await acceptWebSocket(wss, req, socket, head), options, start);
}

async function servePortForward(
  deps: UpgradeHandlerDeps,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  pod: Pod,
  query: URLSearchParams,
): Promise<void> {
  checkPodAcceptsPortForward(pod);
  const target: PortForwardTarget = {
    podName: `${pod.metadata.namespace}/${pod.metadata.name}`,
    connect: (port) => deps.podStreams.portForward(pod, port),
  };

  if (streamTransportOf(req.method, req.headers) === 'spdy') {
    if (!offeredStreamProtocols(req.headers).includes(SPDY_PORT_FORWARD_PROTOCOL)) {
      throw badRequest(`unable to upgrade: the client offers none of the supported stream protocols [${SPDY_PORT_FORWARD_PROTOCOL}]`);
    }
    serveSpdyPortForward(acceptSpdy(socket, head, SPDY_PORT_FORWARD_PROTOCOL), target);
    return;
  }

  const offered = offeredWebSocketProtocols(req.headers);
  if (offered.has(SPDY_TUNNEL_PROTOCOL)) {
    // kubectl: raw SPDY bytes in binary messages. Rename the token so `ws` accepts the handshake.
    req.headers['sec-websocket-protocol'] = [...offered].map((p) => (p === SPDY_TUNNEL_PROTOCOL ? SPDY_TUNNEL_PLACEHOLDER : p)).join(', ');
    const ws = await acceptWebSocket(wss, req, socket, head);
    serveSpdyPortForward(new SpdySession(createWebSocketStream(ws)), target);
    return;
  }

  const ports = portsFrom(query);
  if (ports.length === 0) throw badRequest('query parameter "ports" is required: the pod ports to forward, e.g. ?ports=8080');
  if (!chooseChannelProtocol(offered)) {
    throw badRequest(`unable to upgrade: the client offers none of the supported WebSocket subprotocols [${CHANNEL_PROTOCOLS.join(', ')}, ${SPDY_TUNNEL_PROTOCOL}]`);
  }
  serveChannelPortForward(await acceptWebSocket(wss, req, socket, head), ports, target);
}
