// The API under load, as a load test would try it (issue 19's "API" benchmarks):
//
// - mixed load: 32 concurrent keep-alive clients for 60 s (KUBELAB_BENCH_API_SECONDS for a
//   quicker run), each request drawn at random: 70 % reads (get 50 %, list with
//   `labelSelector=...&limit=50` 20 %), 20 % writes (create 10 %, merge patch 10 %), 10 %
//   watches (open a watch, wait for its first event or 1 s). Throughput and p50/p99 per verb,
//   once with a nearly empty namespace and once with 10,000 ConfigMaps stored;
// - writes only: the 10,000 ConfigMaps are created by the same 32 clients, timed;
// - watch fan-out: 1,000 open watches, one write, time until the last watcher has it.
//
// `npm run bench` runs it against the real kubelabd it starts; `npx tsx bench/api-load.ts` runs it
// against an API server of its own in a child process (the real registry, store and HTTPS
// server on a temporary data dir, from dist/ when built; no node agent, so no Docker), which is
// what profiling wants:
// `KUBELAB_BENCH_API_PROFILE=1` starts that server with --cpu-prof.

import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile } from './stats.js';

export interface ApiTarget {
  /** `https://127.0.0.1:PORT` */
  server: string;
  token: string;
  caPem: string;
}

/** The issue's targets, printed next to what was measured. */
const TARGETS = { writesPerSecond: 1_000, writeP99Ms: 25, readP99Ms: 10 };
const CLIENTS = 32;
export const NAMESPACE = 'bench';
const GROUPS = 20;

type Verb = 'get' | 'list' | 'create' | 'patch' | 'watch';

interface Sample {
  verb: Verb;
  ms: number;
  ok: boolean;
}

export interface MixedLoadResult {
  label: string;
  seconds: number;
  stored: number;
  byVerb: Record<Verb, { count: number; errors: number; p50: number; p99: number }>;
  requestsPerSecond: number;
  writesPerSecond: number;
}

/** A keep-alive HTTPS client with the admin token (shared with the store-backend benchmark). */
export class Client {
  readonly agent: https.Agent;

  constructor(
    private readonly target: ApiTarget,
    maxSockets: number,
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets, ca: target.caPem });
  }

  request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; text: string }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = https.request(
        `${this.target.server}${path}`,
        {
          method,
          agent: this.agent,
          headers: {
            Authorization: `Bearer ${this.target.token}`,
            Accept: 'application/json',
            ...(payload ? { 'Content-Type': contentType, 'Content-Length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /**
   * Opens a watch; resolves with the ms until the first event, or undefined when none came
   * within `timeoutMs` or the watch ended or failed first (never hangs).
   */
  watchFirstEvent(path: string, timeoutMs: number, onOpen?: () => void): Promise<number | undefined> {
    return new Promise((resolve) => {
      const started = performance.now();
      let settled = false;
      const settle = (value: number | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
        req.destroy();
      };
      const req = https.get(`${this.target.server}${path}`, { agent: this.agent, headers: { Authorization: `Bearer ${this.target.token}` } }, (res) => {
        onOpen?.();
        res.once('data', () => settle(performance.now() - started));
        res.on('error', () => settle(undefined));
        res.on('close', () => settle(undefined));
      });
      req.on('error', () => settle(undefined));
      const timer = setTimeout(() => settle(undefined), timeoutMs);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export const configMap = (name: string, i: number) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels: { group: `g${i % GROUPS}`, app: 'bench' } },
  data: { value: 'x'.repeat(200), index: String(i) },
});

export async function ensureNamespace(client: Client): Promise<void> {
  const res = await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  if (res.status !== 201 && res.status !== 409) throw new Error(`creating namespace ${NAMESPACE}: ${res.status} ${res.text}`);
}

/** Creates ConfigMaps `prefix-0 ... prefix-(count-1)` with 32 clients; returns writes per second. */
export async function fill(target: ApiTarget, prefix: string, count: number): Promise<number> {
  const client = new Client(target, CLIENTS);
  try {
    await ensureNamespace(client);
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < count) {
          const i = next++;
          const res = await client.request('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, configMap(`${prefix}-${i}`, i));
          if (res.status !== 201) throw new Error(`create ${prefix}-${i}: ${res.status} ${res.text}`);
        }
      }),
    );
    return count / ((performance.now() - started) / 1000);
  } finally {
    client.close();
  }
}

/** The mixed load over ConfigMaps `names`, for `seconds`. */
export async function mixedLoad(target: ApiTarget, label: string, names: string[], seconds: number, random: () => number = Math.random): Promise<MixedLoadResult> {
  const client = new Client(target, CLIENTS + 8);
  const samples: Sample[] = [];
  const existing = [...names];
  let created = 0;
  const deadline = performance.now() + seconds * 1000;
  const pick = () => existing[Math.floor(random() * existing.length)];
  const base = `/api/v1/namespaces/${NAMESPACE}/configmaps`;

  const one = async (): Promise<void> => {
    const draw = random();
    const started = performance.now();
    let verb: Verb;
    let ok: boolean;
    if (draw < 0.5) {
      verb = 'get';
      ok = (await client.request('GET', `${base}/${pick()}`)).status === 200;
    } else if (draw < 0.7) {
      verb = 'list';
      const group = `g${Math.floor(random() * GROUPS)}`;
      ok = (await client.request('GET', `${base}?labelSelector=group%3D${group}&limit=50`)).status === 200;
    } else if (draw < 0.8) {
      verb = 'create';
      const name = `load-${label.replace(/\W+/g, '')}-${created++}`;
      ok = (await client.request('POST', base, configMap(name, created))).status === 201;
      if (ok) existing.push(name);
    } else if (draw < 0.9) {
      verb = 'patch';
      const res = await client.request('PATCH', `${base}/${pick()}`, { data: { index: String(started) } }, 'application/merge-patch+json');
      ok = res.status === 200;
    } else {
      verb = 'watch';
      // Time until the watch is open (headers arrive); it then waits for one event or 1 s.
      let openedMs = 0;
      await client.watchFirstEvent(`${base}?watch=true&labelSelector=group%3Dg${Math.floor(random() * GROUPS)}&resourceVersion=`, 1000, () => (openedMs = performance.now() - started));
      samples.push({ verb, ms: openedMs, ok: openedMs > 0 });
      return;
    }
    samples.push({ verb, ms: performance.now() - started, ok });
  };

  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) await one().catch(() => samples.push({ verb: 'get', ms: 0, ok: false }));
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  client.close();
  const byVerb = {} as MixedLoadResult['byVerb'];
  for (const verb of ['get', 'list', 'create', 'patch', 'watch'] as Verb[]) {
    const of = samples.filter((s) => s.verb === verb);
    const times = of.filter((s) => s.ok).map((s) => s.ms);
    byVerb[verb] = { count: of.length, errors: of.filter((s) => !s.ok).length, p50: percentile(times, 50), p99: percentile(times, 99) };
  }
  const writes = byVerb.create.count + byVerb.patch.count;
  return { label, seconds: elapsed, stored: names.length, byVerb, requestsPerSecond: samples.length / elapsed, writesPerSecond: writes / elapsed };
}

/** 1,000 open watches, one write: ms until the last watcher has the event (median of `rounds`). */
export async function watchFanOut(target: ApiTarget, watchers = 1_000, rounds = 3): Promise<number[]> {
  const client = new Client(target, Infinity);
  const writer = new Client(target, 1);
  const results: number[] = [];
  try {
    await ensureNamespace(writer);
    for (let round = 0; round < rounds; round += 1) {
      const name = `fanout-${Date.now()}-${round}`;
      // Watchers as informers hold them: resumed from the version of their last list, no backlog.
      const listed = await writer.request('GET', `/api/v1/namespaces/${NAMESPACE}/configmaps?limit=1`);
      const version = (JSON.parse(listed.text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
      let opened = 0;
      let allOpen!: () => void;
      const ready = new Promise<void>((resolve) => (allOpen = resolve));
      const arrivals: Promise<number | undefined>[] = [];
      for (let i = 0; i < watchers; i += 1) {
        arrivals.push(
          client.watchFirstEvent(`/api/v1/namespaces/${NAMESPACE}/configmaps?watch=true&fieldSelector=metadata.name%3D${name}&resourceVersion=${version}`, 60_000, () => {
            opened += 1;
            if (opened === watchers) allOpen();
          }),
        );
      }
      const openTimeout = setTimeout(() => allOpen(), 60_000);
      await ready;
      clearTimeout(openTimeout);
      if (opened < watchers) throw new Error(`watch fan-out: only ${opened} of ${watchers} watches opened within 60 s`);
      const written = performance.now();
      const res = await writer.request('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, configMap(name, round));
      if (res.status !== 201) throw new Error(`fan-out write: ${res.status} ${res.text}`);
      await Promise.all(arrivals);
      results.push(performance.now() - written);
    }
  } finally {
    client.close();
    writer.close();
  }
  return results;
}

/** How long one list of every stored ConfigMap (no limit, no selector) and one paged, filtered list take. */
export async function listLatency(target: ApiTarget, rounds = 7): Promise<{ fullMs: number[]; pagedFilteredMs: number[] }> {
  const client = new Client(target, 1);
  const fullMs: number[] = [];
  const pagedFilteredMs: number[] = [];
  try {
    for (let i = 0; i < rounds; i += 1) {
      let started = performance.now();
      await client.request('GET', `/api/v1/namespaces/${NAMESPACE}/configmaps`);
      fullMs.push(performance.now() - started);
      started = performance.now();
      await client.request('GET', `/api/v1/namespaces/${NAMESPACE}/configmaps?labelSelector=group%3Dg${i % GROUPS}&limit=50`);
      pagedFilteredMs.push(performance.now() - started);
    }
  } finally {
    client.close();
  }
  return { fullMs, pagedFilteredMs };
}

export interface ApiBenchReport {
  fillWritesPerSecond: number;
  small: MixedLoadResult;
  large: MixedLoadResult;
  lists: { fullMs: number[]; pagedFilteredMs: number[] };
  fanOutMs: number[];
}

/** The whole API benchmark against one server. */
export async function benchApi(target: ApiTarget, seconds = Number(process.env.KUBELAB_BENCH_API_SECONDS ?? 60)): Promise<ApiBenchReport> {
  const progress = (what: string) => console.error(`[api bench] ${new Date().toISOString()} ${what}`);
  progress('creating 100 ConfigMaps');
  await fill(target, 'small', 100);
  progress(`mixed load for ${seconds} s over 100 ConfigMaps`);
  const small = await mixedLoad(target, 'small', Array.from({ length: 100 }, (_, i) => `small-${i}`), seconds);
  progress('creating 10,000 ConfigMaps (writes only)');
  const fillWritesPerSecond = await fill(target, 'big', 10_000);
  const names = [...Array.from({ length: 100 }, (_, i) => `small-${i}`), ...Array.from({ length: 10_000 }, (_, i) => `big-${i}`)];
  progress(`mixed load for ${seconds} s over 10,100 ConfigMaps`);
  const large = await mixedLoad(target, 'large', names, seconds);
  progress('list latency');
  const lists = await listLatency(target);
  progress('watch fan-out');
  const fanOutMs = await watchFanOut(target);
  return { fillWritesPerSecond, small, large, lists, fanOutMs };
}

export function formatApiBench(report: ApiBenchReport): string {
  const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'n/a');
  const med = (values: number[]) => percentile(values, 50);
  const mixed = (r: MixedLoadResult) => {
    const reads = [r.byVerb.get, r.byVerb.list];
    const writes = [r.byVerb.create, r.byVerb.patch];
    const lines = [
      `  ${r.label} (${r.stored} ConfigMaps stored, ${CLIENTS} clients, ${r.seconds.toFixed(0)} s): ${r.requestsPerSecond.toFixed(0)} req/s, ` +
        `writes ${r.writesPerSecond.toFixed(0)}/s (target >= ${TARGETS.writesPerSecond}/s)`,
      ...(['get', 'list', 'create', 'patch', 'watch'] as Verb[]).map((verb) => {
        const v = r.byVerb[verb];
        return `    ${verb.padEnd(6)} n=${String(v.count).padStart(6)} errors=${v.errors}  p50 ${ms(v.p50)}  p99 ${ms(v.p99)}`;
      }),
      `    worst p99: reads ${ms(Math.max(...reads.map((v) => v.p99)))} (target <= ${TARGETS.readP99Ms} ms), writes ${ms(Math.max(...writes.map((v) => v.p99)))} (target <= ${TARGETS.writeP99Ms} ms)`,
    ];
    return lines.join('\n');
  };
  return [
    'API at 32 concurrent keep-alive clients (70 % reads, 20 % writes, 10 % watches)',
    mixed(report.small),
    mixed(report.large),
    `  writes only (creating 10,000 ConfigMaps, 32 clients): ${report.fillWritesPerSecond.toFixed(0)} writes/s`,
    `  list of 10,100 ConfigMaps: whole ${ms(med(report.lists.fullMs))}, labelSelector+limit=50 ${ms(med(report.lists.pagedFilteredMs))} (medians of ${report.lists.fullMs.length})`,
    `  ${formatWatchFanOut(report.fanOutMs)}`,
  ].join('\n');
}

export function formatWatchFanOut(fanOutMs: number[]): string {
  return `watch fan-out: 1,000 watchers, one write, last one has it after ${percentile(fanOutMs, 50).toFixed(1)} ms (median of ${fanOutMs.length}: ${fanOutMs.map((v) => v.toFixed(0)).join(', ')} ms)`;
}

// ---------------------------------------------------------------------------------------------
// Standalone: an API server of our own in a child process, then the benchmark against it.

const SERVE_FLAG = '--serve-api';

async function serve(): Promise<void> {
  // The built daemon (dist/, as kubelabd runs) when there is one: figures without tsx's loader.
  const root = fileURLToPath(new URL('..', import.meta.url));
  const built = await fs.access(path.join(root, 'dist/daemon/store/nedb-store.js')).then(() => true, () => false);
  const from = (module: string) => (built ? path.join(root, 'dist', module.replace(/\.ts$/, '.js')) : path.join(root, module));
  type Modules = [
    typeof import('../daemon/pki/pki.js'),
    typeof import('../daemon/api/auth.js'),
    typeof import('../daemon/api/server.js'),
    typeof import('../daemon/api/resource-registry.js'),
    typeof import('../daemon/store/nedb-store.js'),
  ];
  const [{ ensurePki }, { Authenticator }, { createApiApp, startApiServer }, { ResourceRegistry }, { NedbObjectStore }] = (await Promise.all(
    ['daemon/pki/pki.ts', 'daemon/api/auth.ts', 'daemon/api/server.ts', 'daemon/api/resource-registry.ts', 'daemon/store/nedb-store.ts'].map((m) => import(from(m))),
  )) as Modules;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-bench-api-'));
  const pki = await ensurePki(dir, { hostnames: [], ips: [] });
  const store = new NedbObjectStore({ dataDir: path.join(dir, 'store') });
  await store.open();
  const registry = new ResourceRegistry({ store });
  await registry.ensureSystemNamespaces();
  const app = createApiApp({ registry, authenticator: new Authenticator([{ token: pki.adminToken, user: 'admin' }]) });
  const api = await startApiServer({ app, listen: '127.0.0.1:0', tls: { key: pki.serverKeyPem, cert: pki.serverCertPem } });
  process.stdout.write(`${JSON.stringify({ server: `https://127.0.0.1:${api.port}`, token: pki.adminToken, caPem: pki.caCertPem })}\n`);
  const stop = async () => {
    await api.close();
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
}

/** Runs `use` against an API server of our own in a child process (no node agent, no Docker), then stops it. */
export async function withOwnApiServer<T>(use: (target: ApiTarget) => Promise<T>): Promise<T> {
  const self = fileURLToPath(import.meta.url);
  const nodeArgs = ['--import', 'tsx', ...(process.env.KUBELAB_BENCH_API_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', os.tmpdir()] : []), self, SERVE_FLAG];
  const child = spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const target = await new Promise<ApiTarget>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]) as ApiTarget);
    });
    child.once('exit', (code) => reject(new Error(`the API server exited (${code}) before it was ready`)));
  });
  try {
    return await use(target);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

async function standalone(): Promise<void> {
  console.log(formatApiBench(await withOwnApiServer((target) => benchApi(target))));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  (process.argv.includes(SERVE_FLAG) ? serve() : standalone()).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
