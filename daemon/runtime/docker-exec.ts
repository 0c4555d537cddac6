// `kubectl exec` (and `attach`) on Docker: an exec instance in the container, attached over a hijacked HTTP
// connection that carries stdin one way and the process's output the other (multiplexed into
// stdout and stderr frames, unless there is a TTY, which merges them). The exit code is not on
// the stream: it is read from the exec instance once the stream ends.

import { PassThrough, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { AttachOptions, ExecOptions, ExecSession } from './container-runtime.js';

export async function startDockerExec(docker: Docker, containerId: string, options: ExecOptions): Promise<ExecSession> {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: options.command,
    AttachStdin: options.stdin,
    AttachStdout: options.stdout,
    AttachStderr: options.stderr,
    Tty: options.tty,
  });
  const connection = (await exec.start({ hijack: true, stdin: options.stdin, Tty: options.tty })) as unknown as Duplex;
  const streams = sessionStreams(docker, connection, options);
  const exitCode = streams.ended.then(async () => {
    // The stream can end a moment before the engine records the exit code.
    for (let attempt = 0; attempt < 50; attempt++) {
      const info = await exec.inspect();
      if (!info.Running) return info.ExitCode ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return (await exec.inspect()).ExitCode ?? 0;
  });
  return {
    ...streams.session,
    // A resize that arrives after the process ended has nothing left to resize.
    resize: (width, height) => exec.resize({ w: width, h: height }).then(() => undefined, () => undefined),
    exitCode,
  };
}

/**
 * `kubectl attach` on Docker: the container's own attach endpoint, hijacked like an exec. Its
 * output is multiplexed unless the container has a TTY (the container's, not the request's).
 * Only output written from now on arrives: what came before is in the logs.
 */
export async function startDockerAttach(docker: Docker, containerId: string, options: AttachOptions): Promise<ExecSession> {
  const container = docker.getContainer(containerId);
  const info = await container.inspect();
  // Docker attaches to a stopped container too (and waits for a start); Kubernetes' attach needs a running one.
  if (!info.State?.Running) throw new Error(`container ${containerId.slice(0, 12)} is not running`);
  const tty = Boolean(info.Config?.Tty);
  const connection = (await container.attach({ stream: true, hijack: true, stdin: options.stdin, stdout: options.stdout, stderr: options.stderr })) as unknown as Duplex;
  // The client's end of input closes the container's stdin only with stdinOnce (`kubectl run -i`).
  // Otherwise Docker would end the whole attach at once, losing the output the input is still
  // producing (`echo ... | kubectl debug -i`): the session then lasts until the process exits.
  const streams = sessionStreams(docker, connection, { ...options, tty }, Boolean(info.Config?.StdinOnce));
  return {
    ...streams.session,
    resize: (width, height) => container.resize({ w: width, h: height }).then(() => undefined, () => undefined),
    exitCode: streams.ended.then(() => 0),
  };
}

/** stdout/stderr (demultiplexed without a TTY) and stdin over one hijacked connection; stdin's end half-closes it unless told not to. */
function sessionStreams(docker: Docker, connection: Duplex, options: Omit<ExecOptions, 'command'>, closeOnStdinEnd = true): { session: Pick<ExecSession, 'stdin' | 'stdout' | 'stderr'>; ended: Promise<void> } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  if (options.tty) connection.pipe(stdout);
  else docker.modem.demuxStream(connection, stdout, stderr);
  const ended = new Promise<void>((resolve) => {
    connection.once('end', resolve);
    connection.once('close', resolve);
    connection.once('error', () => resolve());
  });
  void ended.then(() => {
    stdout.end();
    stderr.end();
  });
  let stdin: PassThrough | undefined;
  if (options.stdin) {
    stdin = new PassThrough();
    stdin.on('data', (chunk: Buffer) => connection.write(chunk));
    // EOF on stdin: half-close the connection so the process reads end of input.
    if (closeOnStdinEnd) stdin.on('end', () => connection.end());
  }
  return { session: { stdin, stdout, stderr: options.tty ? undefined : stderr }, ended };
}
