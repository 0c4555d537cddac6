// `kubelab cp SRC DST [-c CONTAINER]`: copy files and directories into and out of a container,
// as `kubectl cp` does. One side is local, the other `[NAMESPACE/]POD:PATH`.
//
// There is no file-copy API in Kubernetes: kubectl runs `tar` inside the container through exec
// and moves a tar archive over the exec streams. Into a pod, we pack the local files and pipe the
// archive to `tar -xmf - -C DIR` (its end of input is the v5 close signal on stdin); out of a pod,
// `tar cf - PATH` writes the archive to stdout and we unpack it here. So the container's image
// needs a `tar` (busybox has one), and what it may read and write is what that tar may.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { Argv } from 'yargs';
import type { Pod } from '../../lib/api/types.js';
import { execInPod } from '../../lib/client/exec-client.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import type { KubelabCommand } from './index.js';
import { pickContainer } from './logs.js';

export interface CpCommandOptions {
  src: string;
  dst: string;
  container?: string;
}

export const cpCommand: KubelabCommand<CpCommandOptions> = {
  command: 'cp <src> <dst>',
  describe: 'Copy files and directories to and from containers: kubelab cp FILE POD:PATH, kubelab cp POD:PATH FILE',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('src', { type: 'string', demandOption: true, describe: 'a local path, or [NAMESPACE/]POD:PATH' })
      .positional('dst', { type: 'string', demandOption: true, describe: 'a local path, or [NAMESPACE/]POD:PATH' })
      .option('container', { alias: 'c', type: 'string', describe: 'the container; default: the pod\'s default container' }) as unknown as Argv<
      GlobalOptions & CpCommandOptions
    >,
  handler: (argv) => withCliContext(argv, (ctx) => runCp(ctx, argv)),
};

/** One side of a copy: a local path, or a path in a pod. */
export interface FileSpec {
  pod?: string;
  namespace?: string;
  path: string;
}

/** kubectl's syntax: `[NAMESPACE/]POD:PATH` names a path in a pod; anything without a colon is local. */
export function parseFileSpec(arg: string): FileSpec {
  const colon = arg.indexOf(':');
  if (colon < 0) return { path: arg };
  const [podPart, filePath] = [arg.slice(0, colon), arg.slice(colon + 1)];
  if (podPart === '') throw new CliError(`filespec must match the canonical format: [[namespace/]pod:]file/path, got "${arg}"`);
  const slash = podPart.indexOf('/');
  if (slash < 0) return { pod: podPart, path: filePath };
  return { namespace: podPart.slice(0, slash), pod: podPart.slice(slash + 1), path: filePath };
}

/** Where an archive member lands locally: under `root`, never outside it (a `..` member is refused). */
export function localTargetOf(root: string, memberName: string, prefix: string): string | undefined {
  const name = path.posix.normalize(memberName.replace(/^\/+/, ''));
  const rest = name === prefix ? '' : name.startsWith(`${prefix}/`) ? name.slice(prefix.length + 1) : prefix === '' ? name : undefined;
  if (rest === undefined || rest.split('/').includes('..')) return undefined;
  return rest === '' ? root : path.join(root, rest);
}

export async function runCp(ctx: CliContext, options: CpCommandOptions): Promise<void> {
  const src = parseFileSpec(options.src);
  const dst = parseFileSpec(options.dst);
  if (src.pod && dst.pod) throw new CliError('one of src or dest must be a local file specification');
  if (!src.pod && !dst.pod) throw new CliError('one of src or dest must be a remote file specification');
  if ((src.pod ? src.path : dst.path) === '') throw new CliError('remote path cannot be empty');
  if (dst.pod) return copyToPod(ctx, src.path, dst, options.container);
  return copyFromPod(ctx, src, dst.path, options.container);
}

interface Target {
  namespace: string;
  pod: string;
  container: string;
}

async function targetOf(ctx: CliContext, spec: FileSpec, container: string | undefined): Promise<Target> {
  const namespace = spec.namespace ?? ctx.namespace;
  const pod = await ctx.client.get<Pod>('pods', namespace, spec.pod!);
  return { namespace, pod: spec.pod!, container: pickContainer(pod, container).container };
}

/** Runs a command in the container; resolves with its exit code and what it wrote to stderr. */
async function execIn(ctx: CliContext, target: Target, command: string[], io: { stdin?: NodeJS.ReadableStream; stdout?: Writable } = {}): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await execInPod(ctx.config, {
    ...target,
    command,
    ...(io.stdin ? { stdin: io.stdin as PassThrough } : {}),
    stdout: io.stdout ?? new PassThrough().resume(),
    stderr: new Writable({ write: (chunk: Buffer, _encoding, done) => ((stderr += chunk.toString()), done()) }),
    tty: false,
  });
  return { code, stderr };
}

async function copyToPod(ctx: CliContext, localPath: string, dst: FileSpec, container: string | undefined): Promise<void> {
  const stat = await fsp.stat(localPath).catch(() => {
    throw new CliError(`${localPath} doesn't exist in local filesystem`);
  });
  const target = await targetOf(ctx, dst, container);
  // Into an existing directory: keep the source's name, as cp does.
  let remotePath = dst.path;
  if ((await execIn(ctx, target, ['test', '-d', remotePath])).code === 0) remotePath = path.posix.join(remotePath, path.basename(localPath));
  const remoteDir = path.posix.dirname(remotePath);
  const pack = tar.pack();
  const archive = new PassThrough();
  pack.pipe(archive);
  const packed = addToArchive(pack, localPath, path.posix.basename(remotePath), stat).then(() => pack.finalize());
  const [{ code, stderr }] = await Promise.all([execIn(ctx, target, ['tar', '-xmf', '-', '-C', remoteDir], { stdin: archive }), packed]);
  if (code !== 0) throw new CliError(`copying to ${dst.pod}:${remotePath} failed (tar exited with code ${code}): ${stderr.trim()}`);
}

/** Adds a file, or a directory and everything under it, to the archive as `name`. */
async function addToArchive(pack: tar.Pack, localPath: string, name: string, stat: fs.Stats): Promise<void> {
  if (stat.isDirectory()) {
    pack.entry({ name, type: 'directory', mode: stat.mode & 0o7777, mtime: stat.mtime });
    for (const child of await fsp.readdir(localPath)) {
      const childPath = path.join(localPath, child);
      await addToArchive(pack, childPath, `${name}/${child}`, await fsp.lstat(childPath));
    }
    return;
  }
  if (!stat.isFile()) return; // symlinks and devices are skipped, as kubectl skips them
  const entry = pack.entry({ name, size: stat.size, mode: stat.mode & 0o7777, mtime: stat.mtime });
  await pipeline(fs.createReadStream(localPath), entry as unknown as NodeJS.WritableStream);
}

async function copyFromPod(ctx: CliContext, src: FileSpec, localPath: string, container: string | undefined): Promise<void> {
  const target = await targetOf(ctx, src, container);
  const remotePath = path.posix.normalize(src.path);
  // Into an existing local directory: keep the source's name.
  const isDir = await fsp.stat(localPath).then((s) => s.isDirectory(), () => false);
  const root = isDir ? path.join(localPath, path.posix.basename(remotePath)) : localPath;
  const prefix = remotePath.replace(/^\/+/, '').replace(/\/+$/, '');

  const archive = new PassThrough();
  const extract = tar.extract();
  let written = 0;
  extract.on('entry', (header, stream, next) => {
    const file = localTargetOf(root, header.name, prefix);
    const done = (err?: unknown) => (err ? extract.destroy(err as Error) : next());
    if (!file) {
      ctx.err(`warning: skipping ${header.name}: outside of ${remotePath}\n`);
      stream.on('end', () => done()).resume();
    } else if (header.type === 'directory') {
      fsp.mkdir(file, { recursive: true }).then(() => stream.on('end', () => done()).resume(), done);
    } else if (header.type === 'file') {
      written++;
      fsp
        .mkdir(path.dirname(file), { recursive: true })
        .then(() => pipeline(stream as unknown as NodeJS.ReadableStream, fs.createWriteStream(file, { mode: header.mode ?? 0o644 })))
        .then(() => done(), done);
    } else {
      ctx.err(`warning: skipping ${header.type} ${header.name}\n`);
      stream.on('end', () => done()).resume();
    }
  });
  const unpacked = new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  archive.pipe(extract as unknown as NodeJS.WritableStream);
  const { code, stderr } = await execIn(ctx, target, ['tar', 'cf', '-', remotePath], { stdout: archive });
  archive.end();
  if (code !== 0) throw new CliError(`copying ${src.pod}:${remotePath} failed (tar exited with code ${code}): ${stderr.replace(/tar: removing leading '\/' from member names\n/, '').trim()}`);
  await unpacked;
  if (written === 0 && !isDir && !(await fsp.stat(root).catch(() => undefined))) throw new CliError(`${src.pod}:${remotePath}: nothing to copy`);
}
