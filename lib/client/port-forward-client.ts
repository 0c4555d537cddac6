// One forwarded connection from the client side: what `kubectl port-forward` does underneath for
// each local connection, in the WebSocket channel protocol (the one @kubernetes/client-node
// speaks; daemon/api/streaming/ws-port-forward.ts is the server's half).
//
// Each accepted local connection opens its own WebSocket to `pods/{name}/portforward?ports=P`.
// Channel 0 carries the bytes both ways, channel 1 brings error text from the server. The server
// first sends the port number (2 bytes, little endian) on each channel: we drop those. With
// v5.channel.k8s.io the client half-closes with [255, 0] when the local side has no more to send;
// the server closes the WebSocket when the pod's side ends.

import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { channelMessage, openChannelWebSocket } from './exec-client.js';
import type { ClientConfig } from './kubeconfig.js';

export const PORT_FORWARD_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

const DATA = 0;
const ERROR = 1;
const CLOSE = 255;
const PORT_PREFIX_BYTES = 2;
/** Stop reading the local connection while this much is waiting to be sent. */
const MAX_BUFFERED_BYTES = 1 << 20;

export interface PortForwardTarget {
  namespace: string;
  pod: string;
  port: number;
}

export function portForwardUrl(server: string, target: PortForwardTarget): string {
  const url = new URL(`${server}/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/portforward?ports=${target.port}`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * Carries `local` to the pod's port until either side ends. Resolves when the connection is
 * over; `onError` hears the server's error text (the pod refused the connection, ...).
 */
export async function forwardConnection(config: ClientConfig, target: PortForwardTarget, local: Socket, onError: (message: string) => void): Promise<void> {
  let ws: WebSocket;
  try {
    ws = await openChannelWebSocket(config, portForwardUrl(config.server, target), PORT_FORWARD_PROTOCOLS, 'port-forward');
  } catch (err) {
    local.destroy();
    throw err;
  }
  const prefixLeft = new Map([[DATA, PORT_PREFIX_BYTES], [ERROR, PORT_PREFIX_BYTES]]);
  ws.on('message', (message: Buffer) => {
    const channel = message[0]!;
    let payload = message.subarray(1);
    const left = prefixLeft.get(channel) ?? 0;
    if (left > 0) {
      prefixLeft.set(channel, left - Math.min(left, payload.length));
      payload = payload.subarray(left);
    }
    if (payload.length === 0) return;
    if (channel === DATA) {
      if (!local.write(payload)) ws.pause();
    } else if (channel === ERROR) onError(payload.toString('utf8'));
  });
  local.on('drain', () => ws.resume());
  local.on('data', (chunk: Buffer) => {
    ws.send(channelMessage(DATA, chunk), () => {
      if (local.isPaused() && ws.bufferedAmount < MAX_BUFFERED_BYTES) local.resume();
    });
    if (ws.bufferedAmount >= MAX_BUFFERED_BYTES) local.pause();
  });
  local.on('end', () => {
    // v5: no more bytes from us, the answer may still come. v4 has no half-close: close.
    if (ws.readyState !== ws.OPEN) return;
    if (ws.protocol === PORT_FORWARD_PROTOCOLS[0]) ws.send(Buffer.from([CLOSE, DATA]));
    else ws.close(1000);
  });
  local.on('error', () => ws.terminate());
  await new Promise<void>((resolve) => {
    ws.once('close', () => {
      local.end();
      resolve();
    });
    ws.once('error', () => {
      local.destroy();
      resolve();
    });
  });
}
