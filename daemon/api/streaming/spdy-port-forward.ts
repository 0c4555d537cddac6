// kubectl port-forward over SPDY/3.1 (directly, or tunnelled in a WebSocket).
//
// kubectl opens one SPDY connection when it starts, then for every local TCP connection it
// accepts it opens two streams sharing a `requestid` header: an `error` stream (which it
// half-closes at once; the server writes a message there only if forwarding fails) and a `data`
// stream carrying the connection's bytes both ways, with `port` naming the pod port. The server
// connects to that port inside the pod and pipes:
//   client DATA → target socket, target bytes → DATA frames;
//   client FIN → half-close the target; target end → FIN;
//   RST_STREAM (kubectl closing the local connection) → drop the target socket.
// A message on the error stream makes kubectl 1.32 print it and exit ("lost connection to pod"),
// so only a connection that could not be made at all is reported there; otherwise the error
// stream is ended empty when the data stream is done (kubectl waits for that EOF).

import type { Duplex } from 'node:stream';
import { errorMessage } from '../../../lib/errors.js';
import type { SpdySession, SpdyStream } from './spdy.js';

export const SPDY_PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

export interface PortForwardTarget {
  /** `default/web`, for messages. */
  podName: string;
  /** Opens a TCP connection to `port` in the pod (PodStreams.portForward). */
  connect(port: number): Promise<Duplex>;
}

export function serveSpdyPortForward(session: SpdySession, target: PortForwardTarget): void {
  const errorStreams = new Map<string, SpdyStream>();
  const targets = new Set<Duplex>();

  session.on('stream', (stream) => {
    const { streamtype: type, requestid: requestId = '', port: portText } = stream.headers;
    const port = Number(portText);
    if ((type !== 'error' && type !== 'data') || !Number.isInteger(port) || port < 1 || port > 65535) {
      stream.reset();
      return;
    }
    void stream.reply();
    if (type === 'error') {
      errorStreams.set(requestId, stream);
      stream.resume(); // kubectl writes nothing on it; drain its FIN
      stream.once('close', () => errorStreams.delete(requestId));
      return;
    }
    void forward(stream, port, requestId);
  });

  // GOAWAY or a dropped connection: every forwarded connection ends with it.
  session.once('close', () => {
    for (const socket of targets) socket.destroy();
    targets.clear();
  });

  async function forward(data: SpdyStream, port: number, requestId: string): Promise<void> {
    let socket: Duplex;
    try {
      socket = await target.connect(port);
    } catch (err) {
      const reason = errorMessage(err);
      endErrorStream(requestId, `error forwarding port ${port} to pod ${target.podName}: ${reason}`);
      data.reset();
      return;
    }
    if (data.destroyed || session.isClosed) {
      socket.destroy();
      return;
    }
    targets.add(socket);
    data.pipe(socket); // client FIN → socket.end()
    socket.pipe(data); // target end → FIN
    socket.on('error', () => data.reset()); // e.g. reset by the application: abort this stream only
    socket.once('close', () => {
      targets.delete(socket);
      if (!data.writableEnded) data.reset();
    });
    data.once('close', () => {
      // Both directions done, or RST from kubectl. kubectl reads the error stream to EOF before it
      // closes the local connection, so it must be ended, empty, when all went well.
      socket.destroy();
      endErrorStream(requestId);
    });
  }

  function endErrorStream(requestId: string, message?: string): void {
    const errorStream = errorStreams.get(requestId);
    if (!errorStream || errorStream.destroyed || errorStream.writableEnded) return;
    if (message) errorStream.end(message);
    else errorStream.end();
  }
}
