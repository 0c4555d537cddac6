// A simulated host's Docker Engine: a dockerd of its own, started inside the host's network
// namespace with `nsenter --net` (not `ip netns exec`, which remounts /sys and hides the cgroup
// mounts dockerd needs), with its own data root, exec root, socket, pid file and cgroup parent,
// and without iptables, NAT or a default bridge: kubelab makes the pod network itself. The
// machine's own engine (/var/run/docker.sock) is only a source of images (there is no registry).

import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { CliError } from '../cli-errors.js';
import type { LabHostPlan } from './lab-plan.js';
import { netnsPath } from './host-network.js';
import { isRunning } from './host-processes.js';
import { sleep, spawnDetached } from './run-command.js';

export const MACHINE_DOCKER_SOCKET = '/var/run/docker.sock';

/** The images every lab host gets: the pod infra image, and the tutorial's. */
export const LAB_IMAGES = ['kubelab/pause:1', 'kubelab/busybox:1', 'kubelab/hello:v1', 'kubelab/hello:v2'];

export function engineSocket(host: LabHostPlan): string {
  return path.join(host.dir, 'docker.sock');
}

export function engineLogFile(host: LabHostPlan): string {
  return path.join(host.dir, 'dockerd.log');
}

/** The command line of a host's dockerd. */
export function dockerdArgv(host: LabHostPlan): string[] {
  return [
    'nsenter', `--net=${netnsPath(host.netns)}`, '--',
    'dockerd',
    // An empty config file of its own: /etc/docker/daemon.json belongs to the machine's engine.
    '--config-file', path.join(host.dir, 'daemon.json'),
    '--data-root', path.join(host.dir, 'docker'),
    '--exec-root', host.execRoot,
    '--pidfile', path.join(host.dir, 'dockerd.pid'),
    '-H', `unix://${engineSocket(host)}`,
    '--cgroup-parent', host.cgroupParent,
    '--iptables=false',
    '--ip-masq=false',
    '--bridge=none',
  ];
}

/** Starts the host's dockerd in the background; resolves with its pid once it answers. */
export async function startEngine(host: LabHostPlan, timeoutMs = 60_000): Promise<{ pid: number; argv: string[]; logFile: string }> {
  fs.mkdirSync(host.dir, { recursive: true });
  fs.mkdirSync(host.execRoot, { recursive: true });
  const configFile = path.join(host.dir, 'daemon.json');
  if (!fs.existsSync(configFile)) fs.writeFileSync(configFile, '{}\n');
  // A socket left by a killed engine would make dockerd refuse to start.
  fs.rmSync(engineSocket(host), { force: true });
  const argv = dockerdArgv(host);
  const logFile = engineLogFile(host);
  const pid = spawnDetached(argv, logFile);
  await waitForEngine(host, pid, timeoutMs);
  return { pid, argv, logFile };
}

/** Pings the engine until it answers; fails early, with the log's tail, if dockerd died. */
export async function waitForEngine(host: LabHostPlan, pid: number, timeoutMs: number): Promise<void> {
  const docker = new Docker({ socketPath: engineSocket(host) });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await docker.ping();
      return;
    } catch {
      // not yet
    }
    if (!isRunning(pid)) throw new CliError(`host ${host.name}: dockerd exited while starting:\n${logTail(engineLogFile(host))}\n(full log: ${engineLogFile(host)})`);
    if (Date.now() > deadline) throw new CliError(`host ${host.name}: dockerd did not answer on ${engineSocket(host)} within ${timeoutMs / 1000} s; see ${engineLogFile(host)}`);
    await sleep(250);
  }
}

export function engineClient(host: LabHostPlan): Docker {
  return new Docker({ socketPath: engineSocket(host) });
}

/**
 * Saves each image from the machine's engine into `cacheDir` as a tar (once), like `docker save`.
 * A missing image is an error naming it: there is no registry to pull it from.
 */
export async function saveImages(images: string[], cacheDir: string): Promise<string[]> {
  const machine = new Docker({ socketPath: MACHINE_DOCKER_SOCKET });
  fs.mkdirSync(cacheDir, { recursive: true });
  for (const image of images) {
    try {
      await machine.getImage(image).inspect();
    } catch (err) {
      throw new CliError(`image "${image}" is not in the machine's Docker Engine (${MACHINE_DOCKER_SOCKET}); build it first (see images/ and scripts/), then retry`, { cause: err });
    }
  }
  const files: string[] = [];
  for (const image of images) {
    const file = path.join(cacheDir, `${image.replace(/[^A-Za-z0-9_.-]/g, '_')}.tar`);
    const stream = await machine.getImage(image).get();
    await new Promise<void>((resolve, reject) => {
      const out = fs.createWriteStream(file);
      stream.on('error', reject);
      out.on('error', reject).on('finish', resolve);
      stream.pipe(out);
    });
    files.push(file);
  }
  return files;
}

/** Loads image tars into a host's engine, like `docker load`. */
export async function loadImages(host: LabHostPlan, tarFiles: string[]): Promise<void> {
  const docker = engineClient(host);
  for (const file of tarFiles) {
    const progress = await docker.loadImage(file);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(progress, (err: Error | null, events: { error?: string }[]) => {
        const failed = err ?? events.find((e) => e.error);
        if (failed) reject(new Error(`host ${host.name}: loading ${path.basename(file)} failed: ${err ? err.message : (failed as { error: string }).error}`));
        else resolve();
      });
    });
  }
}

export function logTail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
