// The service proxy's cost: HTTP keep-alive requests per second and latency (p50, p99) through a
// Service's ClusterIP and NodePort, against the same backend pod reached straight at its IP, and
// against HAProxy in TCP mode in front of the same pod: the mature userspace TCP proxy a
// userspace kube-proxy can be held to. One run, the same load generator (wrk) for all four,
// measured from the host. Then bulk throughput: one iperf3 stream through the ClusterIP, straight
// to the pod IP, and through HAProxy.
//
// The backend is a Node.js HTTP server in a pod (busybox's httpd closes every connection, which
// would measure connection set-up instead of the proxy's relay): the host's node binary and
// libraries are mounted read-only into a kubelab/busybox:1 container through hostPath volumes.
// The pod's second container is Debian's iperf3 server, mounted the same way (iperf3 is linked
// dynamically: /usr/bin/iperf3 needs libiperf and libcrypto from the host's /lib), so the bytes
// really leave the host's network namespace for the pod's, as a Service's traffic does.
//
// Noisy machines: rounds interleave the four targets and the medians are reported.

import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Deployment, Endpoints, Service } from '../lib/api/types.js';
import { loadClientConfig } from '../lib/client/kubeconfig.js';
import { RestClient } from '../lib/client/rest-client.js';
import { eventually, TestDaemon } from '../harness/test-daemon.js';
import { errorMessage } from '../lib/errors.js';
import { median } from './stats.js';

const run = promisify(execFile);
const ROUNDS = 3;
const SECONDS_PER_TARGET = 4;
const CONNECTIONS = 8;
const IPERF_SECONDS = 3;
const IPERF_PORT = 5201;

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

export interface BulkBenchTarget {
  name: string;
  host: string;
  port: number;
  /** Received bits per second, one per round. */
  bitsPerSecond: number[];
}

export interface ProxyBenchReport {
  requests: ProxyBenchTarget[];
  bulk: BulkBenchTarget[];
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
          // iperf3 keeps its buffers in a file under /tmp, which the busybox image has not.
          volumes: [hostPath('bin', '/usr/bin'), hostPath('lib', '/lib'), hostPath('lib64', '/lib64'), { name: 'tmp', emptyDir: {} }],
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
            {
              // No readiness probe: a bare TCP connect would count as a failed iperf3 test.
              name: 'iperf3',
              image: 'kubelab/busybox:1',
              command: ['/hostbin/iperf3', '--server', '--port', String(IPERF_PORT)],
              ports: [{ name: 'iperf3', containerPort: IPERF_PORT }],
              volumeMounts: [
                { name: 'bin', mountPath: '/hostbin', readOnly: true },
                { name: 'lib', mountPath: '/lib', readOnly: true },
                { name: 'lib64', mountPath: '/lib64', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
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

/** iperf3's JSON report → the receiver's bits per second. */
export function parseIperf3(output: string): number {
  let report: { error?: string; end?: { sum_received?: { bits_per_second?: number } } };
  try {
    report = JSON.parse(output);
  } catch {
    throw new Error(`iperf3 printed no JSON report:\n${output}`);
  }
  if (report.error) throw new Error(`iperf3: ${report.error}`);
  const bps = report.end?.sum_received?.bits_per_second;
  if (typeof bps !== 'number') throw new Error(`no end.sum_received.bits_per_second in iperf3's report`);
  return bps;
}

/**
 * One iperf3 stream from the host to `host:port` for `seconds`: received bits per second. The
 * server runs one test at a time and may still be closing the previous one: "busy" is retried.
 */
async function iperf3(host: string, port: number, seconds = IPERF_SECONDS): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    // iperf3 exits non-zero with its JSON report (holding "error") on stdout: read it either way.
    const { stdout } = await run('iperf3', ['--client', host, '--port', String(port), '--time', String(seconds), '--json'], { timeout: (seconds + 20) * 1000 }).catch(
      (err: { stdout?: string }) => ({ stdout: err.stdout ?? String(err) }),
    );
    try {
      return parseIperf3(stdout);
    } catch (err) {
      if (!/server is busy/.test(errorMessage(err)) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function wrk(address: string): Promise<WrkResult> {
  const { stdout } = await run('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS_PER_TARGET}s`, '--latency', `http://${address}/`], { timeout: (SECONDS_PER_TARGET + 20) * 1000 });
  return parseWrk(stdout);
}

/**
 * HAProxy in TCP mode on 127.0.0.1:port in front of `backend`, and on port + 1 in front of
 * `bulkBackend` (iperf3); returns the function that stops it.
 */
async function startHaproxy(port: number, backend: string, bulkBackend: string, dir: string): Promise<() => Promise<void>> {
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
      'frontend bulk',
      `  bind 127.0.0.1:${port + 1}`,
      '  default_backend iperf3',
      'backend iperf3',
      `  server pod ${bulkBackend}`,
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

export async function benchProxy(daemon: TestDaemon): Promise<ProxyBenchReport> {
  const client = new RestClient(loadClientConfig({ kubeconfig: daemon.kubeconfigPath }));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-bench-proxy-'));
  let stopHaproxy: (() => Promise<void>) | undefined;
  try {
    await client.create('deployments.apps', backendDeployment());
    await client.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bench-backend', namespace: 'default' },
      spec: {
        type: 'NodePort',
        selector: { app: 'bench-backend' },
        ports: [
          { name: 'http', port: 80, targetPort: 'http' },
          { name: 'iperf3', port: IPERF_PORT, targetPort: 'iperf3' },
        ],
      },
    } as Service);
    const podIP = await eventually(async () => (await client.get<Endpoints>('endpoints', 'default', 'bench-backend')).subsets?.[0]?.addresses?.[0]?.ip, 90_000);
    const svc = await client.get<Service>('services', 'default', 'bench-backend');
    const haproxyPort = daemon.nodePortRange.last + 1000; // outside every node port range
    stopHaproxy = await startHaproxy(haproxyPort, `${podIP}:3000`, `${podIP}:${IPERF_PORT}`, dir);
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
    const bulk: BulkBenchTarget[] = [
      { name: 'pod IP (no proxy)', host: podIP, port: IPERF_PORT, bitsPerSecond: [] },
      { name: 'ClusterIP (kubelab proxy)', host: svc.spec.clusterIP!, port: IPERF_PORT, bitsPerSecond: [] },
      { name: 'HAProxy TCP mode', host: '127.0.0.1', port: haproxyPort + 1, bitsPerSecond: [] },
    ];
    // The iperf3 container has no readiness probe: a first short test tells it listens.
    for (const t of bulk) await eventually(async () => (await iperf3(t.host, t.port, 1), true), 20_000);
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of bulk) t.bitsPerSecond.push(await iperf3(t.host, t.port));
    }
    return { requests: targets, bulk };
  } finally {
    await stopHaproxy?.();
    client.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export function formatProxyBench(report: ProxyBenchReport): string {
  if (report.requests.length === 0) return 'service proxy: not measured (the benchmark failed before its first round)';
  const summary = report.requests.map((t) => ({
    name: t.name,
    rps: median(t.results.map((r) => r.requestsPerSecond)),
    p50: median(t.results.map((r) => r.p50Ms)),
    p99: median(t.results.map((r) => r.p99Ms)),
    rounds: t.results.map((r) => r.requestsPerSecond.toFixed(0)).join(' '),
  }));
  const direct = summary[0];
  const haproxy = summary.find((s) => s.name.startsWith('HAProxy'))!;
  const lines = [`service proxy: HTTP keep-alive through wrk -t1 -c${CONNECTIONS}, ${SECONDS_PER_TARGET} s per target, median of ${ROUNDS} interleaved rounds`];
  lines.push(`  ${'target'.padEnd(36)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'vs pod'.padStart(9)}${'vs HAProxy'.padStart(12)}${'+p50 ms'.padStart(9)}${'+p99 ms'.padStart(9)}   req/s per round`);
  for (const s of summary) {
    lines.push(
      `  ${s.name.padEnd(36)}${s.rps.toFixed(0).padStart(10)}${s.p50.toFixed(2).padStart(9)}${s.p99.toFixed(2).padStart(9)}` +
        `${(s.rps / direct.rps).toFixed(2).padStart(8)}x${(s.rps / haproxy.rps).toFixed(2).padStart(11)}x` +
        `${(s.p50 - direct.p50).toFixed(2).padStart(9)}${(s.p99 - direct.p99).toFixed(2).padStart(9)}   ${s.rounds}`,
    );
  }
  if (report.bulk.length > 0) {
    const bulk = report.bulk.map((t) => ({ name: t.name, bps: median(t.bitsPerSecond), rounds: t.bitsPerSecond.map((b) => (b / 1e9).toFixed(2)).join(' ') }));
    const bulkDirect = bulk[0];
    const bulkHaproxy = bulk.find((b) => b.name.startsWith('HAProxy'))!;
    lines.push(`bulk throughput: one iperf3 stream, ${IPERF_SECONDS} s per target, median of ${ROUNDS} interleaved rounds`);
    lines.push(`  ${'target'.padEnd(36)}${'Gbit/s'.padStart(10)}${'vs pod'.padStart(9)}${'vs HAProxy'.padStart(12)}   Gbit/s per round`);
    for (const b of bulk) {
      lines.push(
        `  ${b.name.padEnd(36)}${(b.bps / 1e9).toFixed(2).padStart(10)}${(b.bps / bulkDirect.bps).toFixed(2).padStart(8)}x${(b.bps / bulkHaproxy.bps).toFixed(2).padStart(11)}x   ${b.rounds}`,
      );
    }
  }
  return lines.join('\n');
}

// `npx tsx bench/proxy.ts` runs this benchmark alone on a kubelabd of its own (npm run build first);
// with KUBELAB_BENCH_PROXY_PROFILE=DIR the daemon writes a CPU profile (node --cpu-prof) into DIR.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const profileDir = process.env.KUBELAB_BENCH_PROXY_PROFILE;
  const daemon = await TestDaemon.start(profileDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {});
  try {
    console.log(formatProxyBench(await benchProxy(daemon)));
  } finally {
    await daemon.cleanup();
  }
}
