// A throwaway etcd for tests: Debian's etcd-server binary (scripts/setup.sh installs it) on two
// free loopback ports with a temporary data directory, stopped by its PID and removed afterwards.
// When the binary is missing, startEtcd fails: tests of the etcd store fail, never skip.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { untilPasses } from './until-passes.js';

export const ETCD_BINARY = process.env.KUBELAB_ETCD ?? '/usr/bin/etcd';

export interface EtcdProcess {
  /** The client URL, http://127.0.0.1:PORT. */
  endpoint: string;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

/** A port the kernel just handed out (port 0) and that is free again. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts etcd with `dataDir` (a new temporary one by default; a given one is kept) and waits until it answers /health. */
export async function startEtcd(options: { dataDir?: string; clientPort?: number; peerPort?: number } = {}): Promise<EtcdProcess> {
  const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-etcd-')));
  const clientPort = options.clientPort ?? (await freePort());
  const peerPort = options.peerPort ?? (await freePort());
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  let output = '';
  let exited: string | undefined;
  const child: ChildProcess = spawn(
    ETCD_BINARY,
    [
      '--name', 'default',
      '--data-dir', dataDir,
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `default=${peer}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.on('error', (err) => (exited = `${ETCD_BINARY} could not start: ${err.message} (install Debian's etcd-server: scripts/setup.sh)`));
  child.on('exit', (code, signal) => (exited ??= `etcd exited (${code ?? signal})`));
  const stop = async () => {
    if (exited === undefined && child.pid !== undefined) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      await gone;
    }
    if (!options.dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  };
  try {
    await untilPasses(async () => {
      if (exited !== undefined) throw new Error(`${exited}\n${output.slice(-2000)}`);
      const response = await fetch(`${client}/health`);
      if (!response.ok) throw new Error(`etcd /health answered ${response.status}`);
    }, 20_000, 50);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint: client, dataDir, pid: child.pid!, stop };
}
