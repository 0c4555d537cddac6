// Port-forward in the WebSocket channel protocol, as @kubernetes/client-node speaks it.
//
// One WebSocket is one forwarded connection per requested port (`?ports=80`). Port i gets two
// channels: 2i carries the data both ways, 2i+1 carries error text from the server. Before
// anything else the server sends, on each of those channels, the port number as 2 little-endian
// bytes (the client strips them). With v5 the client half-closes with [255, 2i]. When the pod's
// side of the connection ends, the server closes the WebSocket.

import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { errorMessage } from '../../../lib/errors.js';
import type { PortForwardTarget } from './spdy-port-forward.js';
import { Channel, channelMessage, pumpToChannel } from './ws-channel.js';

const CLOSE_NORMAL = 1000;

function portBytes(port: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16LE(port);
  return bytes;
}

export function serveChannelPortForward(ws: WebSocket, ports: number[], target: PortForwardTarget): void {
  const sockets = new Map<number, Duplex>(); // data channel → connection into the pod
  const early = new Map<number, Buffer[]>(); // bytes that arrived before the connection was made
  const halfClosed = new Set<number>();

  ports.forEach((port, i) => {
    ws.send(channelMessage(2 * i, portBytes(port)));
    ws.send(channelMessage(2 * i + 1, portBytes(port)));
  });

  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    const channel = data[0];
    if (channel === Channel.CLOSE) {
      const closed = data[1];
      halfClosed.add(closed);
      sockets.get(closed)?.end();
      return;
    }
    if (channel % 2 !== 0 || channel >= ports.length * 2) return; // error channels are server → client
    const payload = data.subarray(1);
    const socket = sockets.get(channel);
    if (socket) socket.write(payload);
    else early.set(channel, [...(early.get(channel) ?? []), payload]);
  });

  ws.once('close', () => {
    for (const socket of sockets.values()) socket.destroy();
    sockets.clear();
  });

  const forwards = ports.map(async (port, i) => {
    const dataChannel = 2 * i;
    let socket: Duplex;
    try {
      socket = await target.connect(port);
    } catch (err) {
      const reason = errorMessage(err);
      if (ws.readyState === ws.OPEN) ws.send(channelMessage(dataChannel + 1, `error forwarding port ${port} to pod ${target.podName}: ${reason}`));
      return;
    }
    if (ws.readyState !== ws.OPEN) {
      socket.destroy();
      return;
    }
    sockets.set(dataChannel, socket);
    for (const chunk of early.get(dataChannel) ?? []) socket.write(chunk);
    early.delete(dataChannel);
    if (halfClosed.has(dataChannel)) socket.end();
    socket.on('error', (err) => {
      if (ws.readyState === ws.OPEN) ws.send(channelMessage(dataChannel + 1, `error forwarding port ${port} to pod ${target.podName}: ${err.message}`));
    });
    await pumpToChannel(ws, dataChannel, socket);
  });

  // The pod's side of every connection ended: nothing more will come, end the WebSocket.
  void Promise.all(forwards).then(() => {
    if (ws.readyState === ws.OPEN) ws.close(CLOSE_NORMAL);
  });
}
