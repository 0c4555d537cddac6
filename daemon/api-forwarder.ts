// An agent's API port: a plain TCP forwarder to the API server, so the CLI (or kubectl) can be
// pointed at any node of the cluster, as a k3s agent's local load balancer lets it. The bytes
// are TLS end to end: the forwarder never sees a token, and the server's certificate carries
// every node's address (--tls-san), so clients verify it as if they had dialled the server.
//
// Where the API is comes from the caller each time a connection arrives: a list of servers in
// order of preference (the agent's ServerEndpoints, live ones first, then the gossip view's
// server members). The forwarder dials them in turn until one accepts within connectTimeoutMs,
// and only then passes the client's bytes on, so a dead server costs a client one short wait,
// never a broken connection; the caller hears which server could not be reached.

import net from 'node:net';
import { logger, type Logger } from '../lib/logger.js';

/** How long the forwarder waits for one server to accept before dialling the next. */
export const FORWARDER_CONNECT_TIMEOUT_MS = 3_000;

export interface ApiForwarderOptions {
  host: string;
  port: number;
  /** `host:port` of the API servers, best first, asked for every new connection. */
  targets: () => string[];
  /** Told when a server did not accept a connection (the agent's client then backs off from it too). */
  onUnreachable?: (target: string) => void;
  connectTimeoutMs?: number;
  log?: Logger;
}

export interface RunningApiForwarder {
  address: string;
  close(): Promise<void>;
}

export async function startApiForwarder(options: ApiForwarderOptions): Promise<RunningApiForwarder> {
  const log = options.log ?? logger('api-forwarder');
  const timeoutMs = options.connectTimeoutMs ?? FORWARDER_CONNECT_TIMEOUT_MS;
  const connections = new Set<net.Socket>();
  const server = net.createServer((client) => {
    connections.add(client);
    client.on('close', () => connections.delete(client));
    client.on('error', () => undefined); // a client that went away: its upstream is closed below
    void forward(client, options.targets(), timeoutMs, connections, options.onUnreachable, log);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port, options.host, () => resolve()));
  const bound = server.address() as net.AddressInfo;
  return {
    address: `${bound.address}:${bound.port}`,
    async close() {
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Dials the targets in order; pipes the client to the first that accepts, or closes it. */
async function forward(
  client: net.Socket,
  targets: string[],
  timeoutMs: number,
  connections: Set<net.Socket>,
  onUnreachable: ((target: string) => void) | undefined,
  log: Logger,
): Promise<void> {
  for (const target of targets) {
    if (client.destroyed) return;
    const upstream = await dial(target, timeoutMs).catch((err: Error) => {
      log.warn(`cannot reach the API server at ${target}${targets.length > 1 ? '; trying the next' : ''}`, { err });
      onUnreachable?.(target);
      return undefined;
    });
    if (!upstream) continue;
    if (client.destroyed) return void upstream.destroy();
    connections.add(upstream);
    upstream.on('close', () => connections.delete(upstream));
    upstream.on('error', () => client.destroy()); // the server died mid-connection: the client sees it and reconnects
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
    return;
  }
  client.destroy();
}

function dial(target: string, timeoutMs: number): Promise<net.Socket> {
  const colon = target.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(target.slice(colon + 1)) });
    const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${timeoutMs / 1000} s`)), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
