// exec and attach over SPDY/3.1: kubectl's fallback when the WebSocket upgrade fails
// (or when KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false).
//
// After the `101 Switching Protocols` with `X-Stream-Protocol-Version: v4.channel.k8s.io`, the
// client opens one SPDY stream per stream of the process, named by the `streamtype` header:
// `error` (always), `stdin`, `stdout`, `stderr` (as the query asked), and `resize` with a TTY.
// The server accepts each, waits until all expected streams are there, starts the command, pipes
// the bytes, and when the command exits finishes stdout/stderr, writes the Status JSON on the
// error stream (kubectl reads it to EOF), and closes the connection: the same contract as the
// kubelet's remotecommand server.

import type { ExecOptions, ExecSession } from '../../runtime/container-runtime.js';
import { exitStatus, failureStatus, type ExecStatus } from '../../pod-streams/exec-status.js';
import type { SpdySession, SpdyStream } from './spdy.js';
import { parseResizeMessages } from './ws-channel.js';

/** The remotecommand version spoken over SPDY; kubectl offers v5 down to v1 and accepts v4. */
export const SPDY_EXEC_PROTOCOL = 'v4.channel.k8s.io';

/** How long the client has to open all its streams after the upgrade, as the kubelet's default. */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

/** Which streams the client will open for these options. */
export function expectedExecStreams(options: ExecOptions): Set<StreamType> {
  const expected = new Set<StreamType>(['error']);
  if (options.stdin) expected.add('stdin');
  if (options.stdout) expected.add('stdout');
  if (options.stderr && !options.tty) expected.add('stderr');
  if (options.tty) expected.add('resize');
  return expected;
}

function waitForStreams(session: SpdySession, expected: Set<StreamType>): Promise<Map<StreamType, SpdyStream>> {
  return new Promise((resolve, reject) => {
    const streams = new Map<StreamType, SpdyStream>();
    const timer = setTimeout(() => finish(new Error(`timed out waiting for the client to create the streams ${[...expected].join(', ')}`)), STREAM_CREATION_TIMEOUT_MS);
    const onStream = (stream: SpdyStream): void => {
      const type = stream.headers.streamtype as StreamType;
      if (!expected.has(type) || streams.has(type)) {
        stream.reset();
        return;
      }
      void stream.reply();
      streams.set(type, stream);
      if (streams.size === expected.size) finish();
    };
    const onClose = (): void => finish(new Error('the client closed the connection before creating its streams'));
    function finish(error?: Error): void {
      clearTimeout(timer);
      session.off('stream', onStream);
      session.off('close', onClose);
      if (error) reject(error);
      else resolve(streams);
    }
    session.on('stream', onStream);
    session.once('close', onClose);
  });
}

function writeStatusAndClose(session: SpdySession, errorStream: SpdyStream, status: ExecStatus): void {
  errorStream.end(JSON.stringify(status), () => session.close());
}

function finished(stream: SpdyStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableFinished || stream.destroyed) return resolve();
    stream.once('finish', resolve);
    stream.once('close', resolve);
  });
}

/** Runs one exec (or attach) over an upgraded SPDY session. */
export async function serveSpdyExec(session: SpdySession, options: ExecOptions, start: () => Promise<ExecSession>): Promise<void> {
  let streams: Map<StreamType, SpdyStream>;
  try {
    streams = await waitForStreams(session, expectedExecStreams(options));
  } catch {
    session.close();
    return;
  }
  const errorStream = streams.get('error')!;
  errorStream.resume(); // the client never writes on it; drain so it can end

  let exec: ExecSession;
  try {
    exec = await start();
  } catch (err) {
    writeStatusAndClose(session, errorStream, failureStatus(err));
    return;
  }

  const stdin = streams.get('stdin');
  if (stdin && exec.stdin) stdin.pipe(exec.stdin);
  else stdin?.resume();
  session.once('close', () => exec.stdin?.end());

  const resize = streams.get('resize');
  resize?.setEncoding('utf8');
  resize?.on('data', (text: string) => {
    for (const size of parseResizeMessages(text)) exec.resize(size.width, size.height).catch(() => {});
  });

  const outputs: Promise<void>[] = [];
  for (const [type, source] of [['stdout', exec.stdout], ['stderr', exec.stderr]] as const) {
    const stream = streams.get(type);
    if (!stream || !source) {
      source?.resume();
      continue;
    }
    source.pipe(stream); // ends the SPDY stream (FIN) when the process closes its output
    outputs.push(finished(stream));
  }

  try {
    const exitCode = await exec.exitCode;
    await Promise.all(outputs);
    writeStatusAndClose(session, errorStream, exitStatus(options.command, exitCode));
  } catch (err) {
    writeStatusAndClose(session, errorStream, failureStatus(err));
  }
}
