// An agent's API port: a plain TCP forwarder to the API server, so the CLI (or kubectl) can be
// pointed at any node of the cluster, as a k3s agent's local load balancer lets it. The bytes
// are TLS end to end: the forwarder never sees a token, and the server's certificate carries
// every node's address (--tls-san), so clients verify it as if they had dialled the server.
//
// Where the API is comes from the caller each time a connection arrives: a list of servers in
// order of preference (the agent's ServerEndpoints, live ones first, then the gossip view's
// server members). The forwarder dials them in turn as kube-proxy's userspace proxy dials a
// Service's endpoints (connectToEndpoint, network/proxy/tcp-proxier.ts), and only then relays
// the client's bytes, so a dead server costs a client one short wait, never a broken connection;
// the caller hears which servers could not be reached.

import net from 'node:net';
import { logger, type Logger } from '../lib/logger.js';
import { connectToEndpoint, pipeBothWays } from '../network/proxy/tcp-proxier.js';

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
  // pauseOnConnect: the client's bytes wait in the kernel until a server is connected.
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    connections.add(client);
    client.on('error', () => client.destroy());
    client.once('close', () => connections.delete(client));
    const targets = options.targets();
    let next = 0;
    const servers = { nextEndpoint: () => targets[next++] };
    connectToEndpoint(servers, 'the API', client.remoteAddress ?? '', targets.map(() => timeoutMs), (err, upstream, target) => {
      // Every server dialled before the one that answered (all of them, when none did) is down.
      for (const failed of targets.slice(0, target ? targets.indexOf(target) : targets.length)) options.onUnreachable?.(failed);
      if (err || !upstream) {
        log.warn(`no API server accepted a connection from ${client.remoteAddress ?? 'a client'}`, { err });
        // End politely (FIN, not RST), dropping what the client sent, as kube-proxy does.
        client.on('data', () => undefined);
        client.resume();
        client.end();
        client.setTimeout(5_000, () => client.destroy());
        return;
      }
      if (client.destroyed) return void upstream.destroy(); // the client gave up while we were dialling
      connections.add(upstream);
      upstream.once('close', () => connections.delete(upstream));
      pipeBothWays(client, upstream, () => undefined);
      client.resume();
    });
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
