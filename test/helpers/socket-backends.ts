// Real sockets for proxy and DNS tests: small TCP and UDP servers on loopback addresses
// (127.0.0.0/8 is all local on Linux, so 127.0.0.2, 127.0.0.3 ... are distinct hosts to a test).

import dgram from 'node:dgram';
import net from 'node:net';

export interface Backend {
  /** `ip:port`, as an endpoint. */
  endpoint: string;
  port: number;
  /** Connections (TCP) or datagrams (UDP) received. */
  hits: number;
  /** TCP: connections that sent something (a dial the proxy gave up on under load still counts as a hit). */
  requests?: number;
  close(): Promise<void>;
}

/**
 * A TCP server that answers each connection with `<id>:` followed by everything it receives,
 * and ends its side once the client has ended its own (so half-close is observable).
 */
export async function startTcpEchoBackend(host: string, id: string): Promise<Backend> {
  const sockets = new Set<net.Socket>();
  const backend: Backend = { endpoint: '', port: 0, hits: 0, requests: 0, close: async () => {} };
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    backend.hits += 1;
    socket.once('data', () => (backend.requests! += 1));
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.write(`${id}:`);
    socket.on('data', (data) => socket.write(data));
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve));
  backend.port = (server.address() as net.AddressInfo).port;
  backend.endpoint = `${host}:${backend.port}`;
  backend.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return backend;
}

/** A UDP server that answers each datagram with `<id>:` + the datagram. */
export async function startUdpEchoBackend(host: string, id: string): Promise<Backend> {
  const socket = dgram.createSocket('udp4');
  const backend: Backend = { endpoint: '', port: 0, hits: 0, close: async () => {} };
  socket.on('message', (data, from) => {
    backend.hits += 1;
    socket.send(Buffer.concat([Buffer.from(`${id}:`), data]), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind({ address: host, port: 0 }, resolve));
  backend.port = socket.address().port;
  backend.endpoint = `${host}:${backend.port}`;
  backend.close = () => new Promise<void>((resolve) => socket.close(() => resolve()));
  return backend;
}

/** Connects, sends `message`, half-closes, and returns everything received until the server closes. */
export function tcpRequest(host: string, port: number, message: string, localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, allowHalfOpen: true, ...(localAddress ? { localAddress } : {}) });
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('connect', () => socket.end(message));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
}

/** Sends one datagram from a fresh socket and resolves with the first answer. */
export function udpRequest(host: string, port: number, message: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no UDP answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('message', (data) => {
      clearTimeout(timer);
      socket.close();
      resolve(data.toString());
    });
    socket.send(message, port, host);
  });
}

/** A loopback port with nothing listening (bound, then released). */
export async function closedPort(host: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
