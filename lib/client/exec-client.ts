// Running a command in a pod from the client side: what kubectl exec does underneath.
//
// The CLI opens one WebSocket to `pods/{name}/exec` with the subprotocol `v5.channel.k8s.io`
// and multiplexes the process's streams over it (see daemon/api/streaming/ws-channel.ts for the
// server's half): every binary message starts with a channel byte.
//   client → server: 0 stdin bytes, [255, 0] stdin EOF, 4 terminal size {"Width":W,"Height":H}
//   server → client: 1 stdout, 2 stderr, 3 one Status JSON when the command has ended
// The Status decides the outcome: Success → exit code 0; reason NonZeroExitCode with cause
// ExitCode "N" → exit code N; anything else is an error (no such container, ...).

import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import WebSocket from 'ws';
import type { Status } from '../api/types.js';
import { ApiError, fromStatus } from '../errors.js';
import { queryString } from './api-paths.js';
import type { ClientConfig } from './kubeconfig.js';
import { errorFromResponse } from './response-error.js';

export const EXEC_PROTOCOL = 'v5.channel.k8s.io';

const Channel = { STDIN: 0, STDOUT: 1, STDERR: 2, ERROR: 3, RESIZE: 4, CLOSE: 255 } as const;
/** Stop reading stdin while this much is waiting to be sent. */
const MAX_BUFFERED_BYTES = 1 << 20;

export interface TerminalSize {
  width: number;
  height: number;
}

/** The local terminal, when the command runs with a TTY: its size now, and changes to it. */
export interface LocalTerminal {
  size(): TerminalSize | undefined;
  /** Calls `listener` on every resize (SIGWINCH); returns the function that stops it. */
  onResize(listener: () => void): () => void;
}

export interface ExecRequest {
  namespace: string;
  pod: string;
  /** Absent: the server picks the pod's default container. */
  container?: string;
  command: string[];
  /** Sent to the command's stdin (with EOF at its end); absent: the command gets no stdin. */
  stdin?: Readable;
  stdout: Writable;
  /** Ignored with a TTY: the terminal merges stderr into stdout. */
  stderr: Writable;
  tty: boolean;
  terminal?: LocalTerminal;
}

/** The URL of the exec subresource, with kubectl's query: `command` once per argument (none: attach). */
export function execUrl(server: string, request: Omit<ExecRequest, 'stdout' | 'stderr' | 'stdin' | 'terminal'> & { stdin: boolean }, subresource: 'exec' | 'attach' = 'exec'): string {
  const query = queryString({
    command: subresource === 'exec' ? request.command : undefined,
    container: request.container,
    stdin: request.stdin || undefined,
    stdout: true,
    stderr: request.tty ? undefined : true,
    tty: request.tty || undefined,
  });
  const url = new URL(`${server}/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}/${subresource}${query}`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** The exit code a Status on channel 3 stands for; throws the server's error for other failures. */
export function exitCodeFromStatus(status: Partial<Status>): number {
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return code;
  }
  throw fromStatus(status, status.code ?? 500);
}

export function channelMessage(channel: number, data: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from([channel]), typeof data === 'string' ? Buffer.from(data) : data]);
}

/**
 * Opens a channel-protocol WebSocket (exec here, port-forward in port-forward-client.ts) offering
 * `protocols`; a refused upgrade becomes the ApiError of the server's Status body.
 */
export async function openChannelWebSocket(config: ClientConfig, url: string, protocols: readonly string[], what: string): Promise<WebSocket> {
  const ws = new WebSocket(url, [...protocols], {
    headers: config.token ? { Authorization: `Bearer ${config.token}` } : {},
    ca: config.caPem,
    cert: config.clientCertPem,
    key: config.clientKeyPem,
    rejectUnauthorized: !config.insecureSkipTlsVerify,
    perMessageDeflate: false,
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      if (!protocols.includes(ws.protocol)) {
        ws.terminate();
        reject(new Error(`the server answered the ${what} upgrade without any of the subprotocols ${protocols.join(', ')}`));
      } else resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => reject(errorFromResponse(res.statusCode ?? 500, body, what)));
      res.on('error', reject);
    });
    ws.once('error', reject);
  });
}

/** Runs the command and resolves with its exit code once the server has sent its status. */
export async function execInPod(config: ClientConfig, request: ExecRequest): Promise<number> {
  return streamPod(config, request, execUrl(config.server, { ...request, stdin: request.stdin !== undefined }));
}

/**
 * `kubectl attach`: the same streams, joined to the container's main process instead of a new
 * command; resolves (with 0) when the process ends or the server closes the session.
 */
export async function attachToPod(config: ClientConfig, request: Omit<ExecRequest, 'command'>): Promise<number> {
  return streamPod(config, { ...request, command: [] }, execUrl(config.server, { ...request, command: [], stdin: request.stdin !== undefined }, 'attach'));
}

async function streamPod(config: ClientConfig, request: ExecRequest, url: string): Promise<number> {
  const ws = await openChannelWebSocket(config, url, [EXEC_PROTOCOL], 'exec');
  let status: Partial<Status> | undefined;

  ws.on('message', (data: Buffer) => {
    const payload = data.subarray(1);
    switch (data[0]) {
      case Channel.STDOUT:
        request.stdout.write(payload);
        break;
      case Channel.STDERR:
        request.stderr.write(payload);
        break;
      case Channel.ERROR:
        status = JSON.parse(payload.toString('utf8')) as Partial<Status>;
        break;
    }
  });

  const stopInput = forwardStdin(ws, request.stdin);
  const stopResize = request.tty && request.terminal ? forwardResizes(ws, request.terminal) : () => {};
  try {
    await once(ws, 'close');
  } finally {
    stopInput();
    stopResize();
  }
  if (!status) throw new ApiError(500, 'InternalError', 'the connection to the server closed before the command reported how it ended');
  return exitCodeFromStatus(status);
}

function forwardStdin(ws: WebSocket, stdin: Readable | undefined): () => void {
  if (!stdin) return () => {};
  const onData = (chunk: Buffer | string): void => {
    ws.send(channelMessage(Channel.STDIN, typeof chunk === 'string' ? Buffer.from(chunk) : chunk), () => {
      if (stdin.isPaused() && ws.bufferedAmount < MAX_BUFFERED_BYTES) stdin.resume();
    });
    if (ws.bufferedAmount >= MAX_BUFFERED_BYTES) stdin.pause();
  };
  // v5: tell the server our stdin is at EOF without closing the connection.
  const onEnd = (): void => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.from([Channel.CLOSE, Channel.STDIN]));
  };
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  stdin.resume();
  return () => {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.pause();
  };
}

function forwardResizes(ws: WebSocket, terminal: LocalTerminal): () => void {
  const sendSize = (): void => {
    const size = terminal.size();
    if (size && ws.readyState === ws.OPEN) ws.send(channelMessage(Channel.RESIZE, JSON.stringify({ Width: size.width, Height: size.height }) + '\n'));
  };
  sendSize();
  return terminal.onResize(sendSize);
}
