// An agent's API port: a plain TCP forwarder to the API server, so the CLI (or kubectl) can be
// pointed at any node of the cluster, as a k3s agent's local load balancer lets it. The bytes
// are TLS end to end: the forwarder never sees a token, and the server's certificate carries
// every node's address (--tls-san), so clients verify it as if they had dialled the server.
//
// Where the API is comes from the caller each time a connection arrives: the gossip view's
// server member when it is alive, or the address the agent was started with.

import net from 'node:net';
import { logger, type Logger } from '../lib/logger.js';

export interface ApiForwarderOptions {
  host: string;
  port: number;
  /** `host:port` of the API server, asked for every new connection. */
  target: () => string;
  log?: Logger;
}

export interface RunningApiForwarder {
  address: string;
  close(): Promise<void>;
}

export async function startApiForwarder(options: ApiForwarderOptions): Promise<RunningApiForwarder> {
  const log = options.log ?? logger('api-forwarder');
  const connections = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const target = options.target();
    const colon = target.lastIndexOf(':');
    const upstream = net.connect({ host: target.slice(0, colon), port: Number(target.slice(colon + 1)) });
    connections.add(client).add(upstream);
    const forget = () => {
      connections.delete(client);
      connections.delete(upstream);
    };
    client.on('close', forget);
    upstream.on('error', (err) => {
      log.warn(`cannot reach the API server at ${target}`, { err });
      client.destroy();
    });
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
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
