// `kubectl exec` on Docker: an exec instance in the container, attached over a hijacked HTTP
// connection that carries stdin one way and the process's output the other (multiplexed into
// stdout and stderr frames, unless there is a TTY, which merges them). The exit code is not on
// the stream: it is read from the exec instance once the stream ends.

import { PassThrough, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { ExecOptions, ExecSession } from './container-runtime.js';

export async function startDockerExec(docker: Docker, containerId: string, options: ExecOptions): Promise<ExecSession> {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: options.command,
    AttachStdin: options.stdin,
    AttachStdout: options.stdout,
    AttachStderr: options.stderr,
    Tty: options.tty,
  });
  const connection = (await exec.start({ hijack: true, stdin: options.stdin, Tty: options.tty })) as unknown as Duplex;

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
  const exitCode = ended.then(async () => {
    // The stream can end a moment before the engine records the exit code.
    for (let attempt = 0; attempt < 50; attempt++) {
      const info = await exec.inspect();
      if (!info.Running) return info.ExitCode ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return (await exec.inspect()).ExitCode ?? 0;
  });

  let stdin: PassThrough | undefined;
  if (options.stdin) {
    stdin = new PassThrough();
    stdin.on('data', (chunk: Buffer) => connection.write(chunk));
    // EOF on stdin: half-close the connection so the process reads end of input.
    stdin.on('end', () => connection.end());
  }
  return {
    stdin,
    stdout,
    stderr: options.tty ? undefined : stderr,
    // A resize that arrives after the process ended has nothing left to resize.
    resize: (width, height) => exec.resize({ w: width, h: height }).then(() => undefined, () => undefined),
    exitCode,
  };
}
