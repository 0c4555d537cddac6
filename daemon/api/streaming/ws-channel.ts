// The WebSocket channel protocol: how kubectl exec talks to a container over one WebSocket.
//
// A process has several byte streams (stdin, stdout, stderr) plus control messages (terminal
// resize, the final status). The Kubernetes channel protocol multiplexes them over a single
// WebSocket by prefixing every binary message with one byte naming its channel:
//
//   0 stdin  (client → server)      3 error: one Status JSON when the command ends (server → client)
//   1 stdout (server → client)      4 resize: {"Width":W,"Height":H} (client → server)
//   2 stderr (server → client)    255 close (v5 only): [255, channel] = that channel is finished
//
// `v4.channel.k8s.io` is this framing; `v5.channel.k8s.io` adds the 255 close message, which is
// the only way a client can say "stdin is at EOF" without closing the whole WebSocket. kubectl
// 1.32 offers only v5; client-node offers v5 down to v1. The server ends an exec by sending the
// Status on channel 3 and closing the WebSocket with code 1000.

import type { WebSocket } from 'ws';
import type { Readable } from 'node:stream';
import type { ExecOptions, ExecSession } from '../../runtime/container-runtime.js';
import { exitStatus, failureStatus, type ExecStatus } from '../../pod-streams/exec-status.js';

export const CHANNEL_V5 = 'v5.channel.k8s.io';
export const CHANNEL_V4 = 'v4.channel.k8s.io';

/** The channel protocols this server speaks, most preferred first. */
export const CHANNEL_PROTOCOLS = [CHANNEL_V5, CHANNEL_V4] as const;

export const Channel = { STDIN: 0, STDOUT: 1, STDERR: 2, ERROR: 3, RESIZE: 4, CLOSE: 255 } as const;

/** Normal closure: the exec finished and its status was sent. */
const CLOSE_NORMAL = 1000;
/** Stop reading a process's output while this much is queued for the client. */
const MAX_BUFFERED_BYTES = 1 << 20;

/** The protocol to answer with, from the client's offer; false when none is spoken here. */
export function chooseChannelProtocol(offered: Set<string>, preferred: readonly string[] = CHANNEL_PROTOCOLS): string | false {
  return preferred.find((p) => offered.has(p)) ?? false;
}

export function channelMessage(channel: number, data: Buffer | string): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([Buffer.from([channel]), payload]);
}

/**
 * Sends everything `source` produces on `channel`, pausing it while the WebSocket's send buffer
 * is full. Resolves when the source ended (or the socket went away).
 */
export function pumpToChannel(ws: WebSocket, channel: number, source: Readable): Promise<void> {
  return new Promise((resolve) => {
    const onData = (chunk: Buffer): void => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(channelMessage(channel, chunk), () => {
        if (source.isPaused() && ws.bufferedAmount < MAX_BUFFERED_BYTES) source.resume();
      });
      if (ws.bufferedAmount >= MAX_BUFFERED_BYTES) source.pause();
    };
    const done = (): void => {
      source.off('data', onData);
      resolve();
    };
    source.on('data', onData);
    source.once('end', done);
    source.once('close', done);
    source.once('error', done);
    ws.once('close', () => {
      source.resume();
      done();
    });
  });
}

/** Terminal sizes arrive as JSON documents, one per line: `{"Width":100,"Height":30}\n`. */
export function parseResizeMessages(text: string): { width: number; height: number }[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        const size = JSON.parse(line) as { Width?: unknown; Height?: unknown };
        return typeof size.Width === 'number' && typeof size.Height === 'number' ? [{ width: size.Width, height: size.Height }] : [];
      } catch {
        return [];
      }
    });
}

function sendStatusAndClose(ws: WebSocket, status: ExecStatus): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(channelMessage(Channel.ERROR, JSON.stringify(status)), () => ws.close(CLOSE_NORMAL));
}

/**
 * Runs one exec (or attach) over an upgraded WebSocket: `start` asks the kubelet for the session,
 * then client input flows to the process and its output to the client until the process exits.
 */
export async function serveChannelExec(ws: WebSocket, options: ExecOptions, start: () => Promise<ExecSession>): Promise<void> {
  // Messages may arrive before the session exists (kubectl sends the first resize at once).
  const early: Buffer[] = [];
  let session: ExecSession | undefined;
  const onMessage = (data: Buffer): void => {
    if (!session) {
      early.push(data);
      return;
    }
    handleClientMessage(ws, session, data);
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => onMessage(isBinary ? data : Buffer.from(data)));

  try {
    session = await start();
  } catch (err) {
    sendStatusAndClose(ws, failureStatus(err));
    return;
  }
  const running = session;
  ws.once('close', () => {
    // The client went away: stop feeding the process; it sees EOF on stdin.
    running.stdin?.end();
  });
  for (const data of early) handleClientMessage(ws, running, data);

  const output = [pumpToChannel(ws, Channel.STDOUT, running.stdout)];
  if (running.stderr) output.push(pumpToChannel(ws, Channel.STDERR, running.stderr));
  try {
    const exitCode = await running.exitCode;
    await Promise.all(output); // every byte of output goes out before the status
    sendStatusAndClose(ws, exitStatus(options.command, exitCode));
  } catch (err) {
    sendStatusAndClose(ws, failureStatus(err));
  }
}

function handleClientMessage(ws: WebSocket, session: ExecSession, data: Buffer): void {
  if (data.length === 0) return;
  const channel = data[0];
  const payload = data.subarray(1);
  switch (channel) {
    case Channel.STDIN:
      if (payload.length > 0) session.stdin?.write(payload);
      return;
    case Channel.RESIZE:
      for (const size of parseResizeMessages(payload.toString('utf8'))) {
        session.resize(size.width, size.height).catch(() => {
          // A resize that races the process's exit is harmless.
        });
      }
      return;
    case Channel.CLOSE:
      // v5 half-close: [255, 0] means the client's stdin reached EOF.
      if (ws.protocol === CHANNEL_V5 && payload[0] === Channel.STDIN) session.stdin?.end();
      return;
    default:
      // Output channels flow the other way; ignore anything else, as the kubelet does.
      return;
  }
}
