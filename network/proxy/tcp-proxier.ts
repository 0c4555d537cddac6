// One TCP listener of the userspace proxy: kube-proxy's tcpProxySocket
// (pkg/proxy/userspace/proxysocket.go, Kubernetes v1.20).
//
// It listens on one (address, port) of a Service (the ClusterIP, a node's NodePort, the
// LoadBalancer IP). For each accepted connection it asks the load balancer for an endpoint and
// dials it. A dial that fails (refused: the pod is gone; or too slow) is not the client's problem:
// the proxy tries the *next* endpoint, with dial timeouts that grow 250 ms, 500 ms, 1 s, 2 s, and
// only then gives up and closes the client connection. Once connected, bytes are copied both ways.
//
// Half-close is kept: when the client shuts down its sending side (FIN), the proxy shuts down its
// sending side to the backend and keeps relaying the backend's answer until the backend closes too
// (`nc -q`, HTTP/1.0 clients and many protocols rely on this).
//
// Endpoints removed from the load balancer get no new connections; connections already
// established with them run to their end. close() stops accepting and leaves them running too.

import net from 'node:net';
import { errorMessage } from '../../lib/errors.js';
import type { LoadBalancer, ServicePortName } from './load-balancer.js';

/** kube-proxy's EndpointDialTimeouts: one attempt per entry, each to the next endpoint. */
export const ENDPOINT_DIAL_TIMEOUTS_MS = [250, 500, 1000, 2000];

export interface TcpProxierOptions {
  service: ServicePortName;
  /** The address to listen on (a ClusterIP, a node address, a LoadBalancer IP). */
  host: string;
  /** 0 lets the system pick (tests). */
  port: number;
  loadBalancer: LoadBalancer;
  dialTimeoutsMs?: number[];
  /** Told about connections that found no endpoint (logged once, where it stops). */
  onError?: (message: string) => void;
  /** The service's running totals, which this listener adds to (kubelab_proxy_* metrics). */
  traffic?: ServiceTraffic;
}

/**
 * A service's relayed connections and bytes. Bytes are added once, when a connection ends, from
 * the sockets' own counts (bytesRead / bytesWritten): nothing is done per chunk on the data path.
 */
export interface ServiceTraffic {
  connectionsTotal: number;
  /** Bytes the clients sent (read from client sockets). */
  bytesFromClients: number;
  /** Bytes relayed back to the clients. */
  bytesToClients: number;
}

export const emptyTraffic = (): ServiceTraffic => ({ connectionsTotal: 0, bytesFromClients: 0, bytesToClients: 0 });

/**
 * Each relay socket may queue this much in user space before the side feeding it is paused
 * (Node's default is 16 KiB). One read brings up to 64 KiB, libuv's read size: with the default,
 * a single read the kernel could not take at once already paused the sender; with one read's
 * worth, bulk transfers pause only when the receiver really falls behind.
 */
export const RELAY_HIGH_WATER_MARK_BYTES = 64 * 1024;

/**
 * kube-proxy's TryConnectEndpoints: an endpoint per attempt, switching (and resetting the
 * client's affinity) after each failed dial; `done` gets the connected socket or the reasons
 * every attempt failed. Callbacks, not promises: a connection costs no extra turn of the event
 * loop between the dial's answer and the first relayed byte.
 */
export function connectToEndpoint(
  loadBalancer: Pick<LoadBalancer, 'nextEndpoint'>,
  service: ServicePortName,
  clientIp: string,
  dialTimeoutsMs: number[],
  done: (err: Error | undefined, backend?: net.Socket, endpoint?: string) => void,
): void {
  const failures: string[] = [];
  const attempt = (index: number) => {
    if (index >= dialTimeoutsMs.length) {
      done(new Error(`service ${service}: failed to connect to an endpoint (${failures.join('; ')})`));
      return;
    }
    const endpoint = loadBalancer.nextEndpoint(service, clientIp, index > 0);
    if (!endpoint) {
      done(new Error(`service ${service} has no ready endpoints`));
      return;
    }
    const colon = endpoint.lastIndexOf(':');
    // Node's sockets take a stream's highWaterMark; @types/node's NetConnectOpts does not list it.
    const options: net.TcpNetConnectOpts & { highWaterMark: number } = {
      host: endpoint.slice(0, colon),
      port: Number(endpoint.slice(colon + 1)),
      allowHalfOpen: true,
      noDelay: true,
      highWaterMark: RELAY_HIGH_WATER_MARK_BYTES,
    };
    const backend = net.connect(options);
    const timer = setTimeout(() => fail(new Error(`dial ${endpoint}: timed out after ${dialTimeoutsMs[index]} ms`)), dialTimeoutsMs[index]);
    const fail = (err: Error) => {
      clearTimeout(timer);
      backend.removeListener('connect', connected);
      backend.removeListener('error', fail);
      backend.on('error', () => {}); // a late error of the abandoned socket
      backend.destroy();
      failures.push(errorMessage(err));
      attempt(index + 1);
    };
    const connected = () => {
      clearTimeout(timer);
      backend.removeListener('error', fail);
      done(undefined, backend, endpoint);
    };
    backend.once('connect', connected);
    backend.once('error', fail);
  };
  attempt(0);
}

/**
 * Copies what `from` reads into `to`, pausing `from` while `to` holds more than its high-water
 * mark and passing `from`'s FIN on as `to`'s (a half-close). What stream.pipe() does, without its
 * bookkeeping (unpipe, several readers, pending-drain counts) on every chunk.
 */
function relay(from: net.Socket, to: net.Socket): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => from.resume());
  from.on('end', () => to.end());
}

/** Copies bytes both ways, passing each side's FIN on to the other; any error ends both. */
export function pipeBothWays(client: net.Socket, backend: net.Socket, onClosed: () => void): void {
  let open = 2;
  const closed = () => {
    open -= 1;
    if (open === 0) onClosed();
  };
  const fail = () => {
    client.destroy();
    backend.destroy();
  };
  client.once('close', closed);
  backend.once('close', closed);
  client.on('error', fail);
  backend.on('error', fail);
  relay(client, backend);
  relay(backend, client);
}

export class TcpProxier {
  readonly service: ServicePortName;
  readonly host: string;
  private readonly server: net.Server;
  private readonly options: TcpProxierOptions;
  private readonly connections = new Set<net.Socket>();
  private boundPort: number;

  constructor(options: TcpProxierOptions) {
    this.options = options;
    this.service = options.service;
    this.host = options.host;
    this.boundPort = options.port;
    // pauseOnConnect: the client's bytes wait in the kernel until the backend is connected.
    // noDelay: a relayed chunk leaves at once; Nagle's algorithm would hold a small answer back
    // until the previous one is acknowledged, adding latency the client already paid for once.
    this.server = net.createServer(
      { allowHalfOpen: true, pauseOnConnect: true, noDelay: true, highWaterMark: RELAY_HIGH_WATER_MARK_BYTES },
      (client) => this.onConnection(client),
    );
  }

  /** The port listened on (the system's pick when created with 0). */
  get port(): number {
    return this.boundPort;
  }

  /** Connections being relayed now. */
  get activeConnections(): number {
    return this.connections.size;
  }

  /** Starts listening; rejects with the system's error (EADDRINUSE, EADDRNOTAVAIL) if it cannot. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.host, port: this.options.port }, () => {
        this.server.removeListener('error', reject);
        this.boundPort = (this.server.address() as net.AddressInfo).port;
        resolve(this.boundPort);
      });
    });
  }

  /**
   * Stops accepting at once (the port is free again when this resolves); established connections
   * finish on their own.
   */
  async close(): Promise<void> {
    if (this.server.listening) this.server.close();
  }

  /** Also ends every relayed connection (daemon shutdown, tests). */
  async closeAll(): Promise<void> {
    await this.close();
    for (const socket of this.connections) socket.destroy();
  }

  private onConnection(client: net.Socket): void {
    this.connections.add(client);
    client.on('error', () => client.destroy());
    const traffic = this.options.traffic;
    if (traffic) {
      traffic.connectionsTotal++;
      client.once('close', () => {
        traffic.bytesFromClients += client.bytesRead;
        traffic.bytesToClients += client.bytesWritten;
      });
    }
    const dialTimeoutsMs = this.options.dialTimeoutsMs ?? ENDPOINT_DIAL_TIMEOUTS_MS;
    connectToEndpoint(this.options.loadBalancer, this.service, client.remoteAddress ?? '', dialTimeoutsMs, (err, backend) => {
      if (err || !backend) {
        this.onNoEndpoint(client, err);
        return;
      }
      if (client.destroyed) {
        // The client gave up while we were dialing.
        backend.destroy();
        this.connections.delete(client);
        return;
      }
      this.connections.add(backend);
      pipeBothWays(client, backend, () => {
        this.connections.delete(client);
        this.connections.delete(backend);
      });
      client.resume();
    });
  }

  /** No endpoint answered: end politely (FIN, not RST), reading and dropping what the client sent. */
  private onNoEndpoint(client: net.Socket, err: Error | undefined): void {
    this.options.onError?.(errorMessage(err));
    this.connections.delete(client);
    client.on('data', () => {});
    client.resume();
    client.end();
    client.setTimeout(5000, () => client.destroy());
  }
}
