// The service proxy's cost: HTTP keep-alive requests per second and latency (p50, p99) through a
// Service's ClusterIP and NodePort, against the same backend pod reached straight at its IP, and
// against HAProxy in TCP mode in front of the same pod: the mature userspace TCP proxy a
// userspace kube-proxy can be held to. One run, the same load generator (wrk) for all four,
// measured from the host.
//
// The backend is a Node.js HTTP server in a pod (busybox's httpd closes every connection, which
// would measure connection set-up instead of the proxy's relay): the host's node binary and
// libraries are mounted read-only into a kubelab/busybox:1 container through hostPath volumes.
//
// Noisy machines: rounds interleave the four targets and the medians are reported.

import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Deployment, Endpoints, Service } from '../lib/api/types.js';
import { loadClientConfig } from '../lib/client/kubeconfig.js';
import { RestClient } from '../lib/client/rest-client.js';
import { eventually, type TestDaemon } from '../harness/test-daemon.js';
import { median } from './stats.js';

const run = promisify(execFile);
const ROUNDS = 3;
const SECONDS_PER_TARGET = 4;
const CONNECTIONS = 8;

export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ProxyBenchTarget {
  name: string;
  address: string;
  results: WrkResult[];
}

const BACKEND_SERVER = "require('http').createServer((req, res) => res.end('hello\\n')).listen(3000)";

function backendDeployment(): Deployment {
  const hostPath = (name: string, p: string) => ({ name, hostPath: { path: p } });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bench-backend', namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'bench-backend' } },
      template: {
        metadata: { labels: { app: 'bench-backend' } },
        spec: {
          terminationGracePeriodSeconds: 1,
          volumes: [hostPath('bin', '/usr/bin'), hostPath('lib', '/lib'), hostPath('lib64', '/lib64')],
          containers: [
            {
              name: 'backend',
              image: 'kubelab/busybox:1',
              command: ['/hostbin/node', '-e', BACKEND_SERVER],
              ports: [{ name: 'http', containerPort: 3000 }],
              readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 1 },
              volumeMounts: [
                { name: 'bin', mountPath: '/hostbin', readOnly: true },
                { name: 'lib', mountPath: '/lib', readOnly: true },
                { name: 'lib64', mountPath: '/lib64', readOnly: true },
              ],
            },
          ],
        },
      },
    },
  } as Deployment;
}

/** wrk's --latency output → requests/s, p50, p99 in ms. */
export function parseWrk(output: string): WrkResult {
  const toMs = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit];
  const latency = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output);
    if (!m) throw new Error(`no ${p}% line in wrk's output:\n${output}`);
    return toMs(m[1], m[2]);
  };
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  if (!rps) throw new Error(`no Requests/sec in wrk's output:\n${output}`);
  if (/Non-2xx or 3xx responses|Socket errors/.test(output)) throw new Error(`wrk saw errors:\n${output}`);
  return { requestsPerSecond: Number(rps[1]), p50Ms: latency('50'), p99Ms: latency('99') };
}

async function wrk(address: string): Promise<WrkResult> {
  const { stdout } = await run('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS_PER_TARGET}s`, '--latency', `http://${address}/`], { timeout: (SECONDS_PER_TARGET + 20) * 1000 });
  return parseWrk(stdout);
}

/** HAProxy in TCP mode on 127.0.0.1:port in front of `backend`; returns the function that stops it. */
async function startHaproxy(port: number, backend: string, dir: string): Promise<() => Promise<void>> {
  const config = path.join(dir, 'haproxy.cfg');
  await fs.writeFile(
    config,
    [
      'global',
      '  maxconn 1024',
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      '  timeout client 30s',
      '  timeout server 30s',
      'frontend bench',
      `  bind 127.0.0.1:${port}`,
      '  default_backend pod',
      'backend pod',
      `  server pod ${backend}`,
      '',
    ].join('\n'),
  );
  const child = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
    await wrkProbe(`127.0.0.1:${port}`);
    return true;
  }, 10_000);
  return async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
}

/** One request, to know a target answers before it is measured. */
async function wrkProbe(address: string): Promise<void> {
  const res = await fetch(`http://${address}/`, { signal: AbortSignal.timeout(2000) });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
}

export async function benchProxy(daemon: TestDaemon): Promise<ProxyBenchTarget[]> {
  const client = new RestClient(loadClientConfig({ kubeconfig: daemon.kubeconfigPath }));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-bench-proxy-'));
  let stopHaproxy: (() => Promise<void>) | undefined;
  try {
    await client.create('deployments.apps', backendDeployment());
    await client.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bench-backend', namespace: 'default' },
      spec: { type: 'NodePort', selector: { app: 'bench-backend' }, ports: [{ port: 80, targetPort: 'http' }] },
    } as Service);
    const podIP = await eventually(async () => (await client.get<Endpoints>('endpoints', 'default', 'bench-backend')).subsets?.[0]?.addresses?.[0]?.ip, 90_000);
    const svc = await client.get<Service>('services', 'default', 'bench-backend');
    const haproxyPort = daemon.nodePortRange.last + 1000; // outside every node port range
    stopHaproxy = await startHaproxy(haproxyPort, `${podIP}:3000`, dir);
    const targets: ProxyBenchTarget[] = [
      { name: 'pod IP (no proxy)', address: `${podIP}:3000`, results: [] },
      { name: 'ClusterIP (kubelab proxy)', address: `${svc.spec.clusterIP}:80`, results: [] },
      { name: 'NodePort 127.0.0.1 (kubelab proxy)', address: `127.0.0.1:${svc.spec.ports![0].nodePort}`, results: [] },
      { name: 'HAProxy TCP mode', address: `127.0.0.1:${haproxyPort}`, results: [] },
    ];
    for (const t of targets) await eventually(async () => (await wrkProbe(t.address), true), 20_000);
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) t.results.push(await wrk(t.address));
    }
    return targets;
  } finally {
    await stopHaproxy?.();
    client.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export function formatProxyBench(targets: ProxyBenchTarget[]): string {
  const summary = targets.map((t) => ({
    name: t.name,
    rps: median(t.results.map((r) => r.requestsPerSecond)),
    p50: median(t.results.map((r) => r.p50Ms)),
    p99: median(t.results.map((r) => r.p99Ms)),
  }));
  const direct = summary[0];
  const haproxy = summary.find((s) => s.name.startsWith('HAProxy'))!;
  const lines = [`service proxy: HTTP keep-alive through wrk -t1 -c${CONNECTIONS}, ${SECONDS_PER_TARGET} s per target, median of ${ROUNDS} interleaved rounds`];
  lines.push(`  ${'target'.padEnd(36)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'vs pod'.padStart(9)}${'vs HAProxy'.padStart(12)}`);
  for (const s of summary) {
    lines.push(
      `  ${s.name.padEnd(36)}${s.rps.toFixed(0).padStart(10)}${s.p50.toFixed(2).padStart(9)}${s.p99.toFixed(2).padStart(9)}` +
        `${(s.rps / direct.rps).toFixed(2).padStart(8)}x${(s.rps / haproxy.rps).toFixed(2).padStart(11)}x`,
    );
  }
  return lines.join('\n');
}
