// One UDP listener of the userspace proxy: kube-proxy's udpProxySocket
// (pkg/proxy/userspace/proxysocket.go, Kubernetes v1.20).
//
// UDP has no connections, so the proxy makes one up per client address (`ip:port`): the first
// datagram from a client picks an endpoint and opens a socket to it; later datagrams from that
// client go through the same socket, and the endpoint's answers come back to the client from the
// Service's address. A client that stays quiet for the idle timeout (kube-proxy's --udp-timeout,
// 250 ms by default) loses its socket; its next datagram picks an endpoint again.

import dgram from 'node:dgram';
import type { LoadBalancer, ServicePortName } from './load-balancer.js';

export const DEFAULT_UDP_IDLE_TIMEOUT_MS = 250;

export interface UdpProxierOptions {
  service: ServicePortName;
  host: string;
  /** 0 lets the system pick (tests). */
  port: number;
  loadBalancer: LoadBalancer;
  idleTimeoutMs?: number;
  onError?: (message: string) => void;
}

interface ClientFlow {
  backend: dgram.Socket;
  /** Datagrams that arrived before the backend socket finished connecting. */
  pending?: Buffer[];
  endpoint: string;
  idleTimer: NodeJS.Timeout;
}

export class UdpProxier {
  readonly service: ServicePortName;
  readonly host: string;
  private readonly socket: dgram.Socket;
  private readonly flows = new Map<string, ClientFlow>();
  private readonly idleTimeoutMs: number;
  private boundPort: number;

  constructor(private readonly options: UdpProxierOptions) {
    this.service = options.service;
    this.host = options.host;
    this.boundPort = options.port;
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_UDP_IDLE_TIMEOUT_MS;
    this.socket = dgram.createSocket('udp4');
    this.socket.on('message', (data, client) => this.onDatagram(data, client));
    this.socket.on('error', (err) => this.options.onError?.(`udp ${this.host}:${this.boundPort}: ${err.message}`));
  }

  get port(): number {
    return this.boundPort;
  }

  /** Client addresses with a backend socket open now. */
  get activeFlows(): number {
    return this.flows.size;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ address: this.host, port: this.options.port }, () => {
        this.socket.removeListener('error', reject);
        this.boundPort = this.socket.address().port;
        resolve(this.boundPort);
      });
    });
  }

  async close(): Promise<void> {
    for (const key of [...this.flows.keys()]) this.endFlow(key);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private onDatagram(data: Buffer, client: dgram.RemoteInfo): void {
    const key = `${client.address}:${client.port}`;
    let flow = this.flows.get(key);
    if (!flow) {
      const endpoint = this.options.loadBalancer.nextEndpoint(this.service, client.address);
      if (!endpoint) {
        this.options.onError?.(`service ${this.service} has no ready endpoints; dropped a datagram from ${key}`);
        return;
      }
      flow = this.openFlow(key, client, endpoint);
    }
    this.touch(key, flow);
    if (flow.pending) flow.pending.push(data);
    else flow.backend.send(data);
  }

  private openFlow(key: string, client: dgram.RemoteInfo, endpoint: string): ClientFlow {
    const colon = endpoint.lastIndexOf(':');
    const backend = dgram.createSocket('udp4');
    // Answers from the endpoint go back to the client from the Service's own address and port.
    backend.on('message', (reply) => {
      const current = this.flows.get(key);
      if (current) this.touch(key, current);
      this.socket.send(reply, client.port, client.address);
    });
    backend.on('error', (err) => {
      this.options.onError?.(`udp ${this.service} → ${endpoint}: ${err.message}`);
      this.endFlow(key);
    });
    const flow: ClientFlow = { backend, endpoint, pending: [], idleTimer: setTimeout(() => this.endFlow(key), this.idleTimeoutMs) };
    backend.connect(Number(endpoint.slice(colon + 1)), endpoint.slice(0, colon), () => {
      for (const data of flow.pending ?? []) backend.send(data);
      flow.pending = undefined;
    });
    this.flows.set(key, flow);
    return flow;
  }

  private touch(key: string, flow: ClientFlow): void {
    clearTimeout(flow.idleTimer);
    flow.idleTimer = setTimeout(() => this.endFlow(key), this.idleTimeoutMs);
  }

  private endFlow(key: string): void {
    const flow = this.flows.get(key);
    if (!flow) return;
    this.flows.delete(key);
    clearTimeout(flow.idleTimer);
    flow.backend.close();
  }
}
