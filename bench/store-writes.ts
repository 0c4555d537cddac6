// API writes on the two store backends (issue 17's benchmark): the same write load through the
// same HTTPS API, once on a server whose objects live in etcd (`--store etcd`, a real etcd on
// free loopback ports) and once on the default embedded nedb store, side by side in one run.
//
// Each round, 32 keep-alive clients with the admin token create 1,000 ConfigMaps and then
// merge-patch each of them once (a patch is kube-apiserver's GuaranteedUpdate: read, mutate,
// write guarded by the version read). Every write's latency is timed; a round gives p50, p99 and
// writes per second per backend. The backends take turns going first (noise on a shared machine
// then falls on both), and the figures printed are medians over the rounds.
//
// etcd writes are durable the way etcd's are: fsync'd to its WAL (no --unsafe-no-fsync), one
// member, as a single-server lab keeps it. A real server needs Docker for its node agent:
// run under the lock, `flock /tmp/kubelab-docker.lock npx tsx bench/main.ts store-writes`.

import { TestDaemon } from '../harness/test-daemon.js';
import { loadClientConfig } from '../lib/client/kubeconfig.js';
import { startEtcd } from '../test/helpers/etcd-process.js';
import { Client, configMap, ensureNamespace, NAMESPACE, type ApiTarget } from './api-load.js';
import { median, percentile } from './stats.js';

const WRITERS = 32;
const OBJECTS_PER_ROUND = 1_000;

type Backend = 'nedb' | 'etcd';

interface RoundFigures {
  p50: number;
  p99: number;
  createP99: number;
  patchP99: number;
  writesPerSecond: number;
  errors: number;
}

export interface StoreWritesBench {
  rounds: number;
  writers: number;
  writesPerRound: number;
  byBackend: Record<Backend, RoundFigures[]>;
}

/** One round on one server: creates then merge patches, every write timed. */
async function writeRound(target: ApiTarget, prefix: string): Promise<RoundFigures> {
  const client = new Client(target, WRITERS);
  const base = `/api/v1/namespaces/${NAMESPACE}/configmaps`;
  const creates: number[] = [];
  const patches: number[] = [];
  let errors = 0;
  const phase = async (into: number[], write: (i: number) => Promise<boolean>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < OBJECTS_PER_ROUND) {
          const i = next++;
          const started = performance.now();
          const ok = await write(i).catch(() => false);
          if (ok) into.push(performance.now() - started);
          else errors += 1;
        }
      }),
    );
  };
  try {
    await ensureNamespace(client);
    const started = performance.now();
    await phase(creates, async (i) => (await client.request('POST', base, configMap(`${prefix}-${i}`, i))).status === 201);
    await phase(patches, async (i) => (await client.request('PATCH', `${base}/${prefix}-${i}`, { data: { index: `patched-${i}` } }, 'application/merge-patch+json')).status === 200);
    const seconds = (performance.now() - started) / 1000;
    const all = [...creates, ...patches];
    return {
      p50: percentile(all, 50),
      p99: percentile(all, 99),
      createP99: percentile(creates, 99),
      patchP99: percentile(patches, 99),
      writesPerSecond: all.length / seconds,
      errors,
    };
  } finally {
    client.close();
  }
}

function targetOf(daemon: TestDaemon): ApiTarget {
  const config = loadClientConfig({ kubeconfig: daemon.kubeconfigPath });
  return { server: config.server, token: config.token ?? '', caPem: config.caPem ?? '' };
}

export async function benchStoreWrites(rounds = Number(process.env.KUBELAB_BENCH_STORE_ROUNDS ?? 5)): Promise<StoreWritesBench> {
  const progress = (line: string) => process.stderr.write(`store writes bench: ${new Date().toISOString()} ${line}\n`);
  const etcd = await startEtcd();
  const daemons: TestDaemon[] = [];
  try {
    const servers = {} as Record<Backend, ApiTarget>;
    const onEtcd = await TestDaemon.start({ args: ['--store', 'etcd', '--etcd-endpoints', etcd.endpoint] });
    daemons.push(onEtcd);
    const onNedb = await TestDaemon.start();
    daemons.push(onNedb);
    servers.etcd = targetOf(onEtcd);
    servers.nedb = targetOf(onNedb);
    const result: StoreWritesBench = { rounds, writers: WRITERS, writesPerRound: 2 * OBJECTS_PER_ROUND, byBackend: { nedb: [], etcd: [] } };
    // A warm-up round each (JIT, connections, the namespace), not counted.
    for (const backend of ['nedb', 'etcd'] as Backend[]) await writeRound(servers[backend], 'warmup');
    for (let round = 0; round < rounds; round += 1) {
      const order: Backend[] = round % 2 === 0 ? ['nedb', 'etcd'] : ['etcd', 'nedb'];
      for (const backend of order) {
        const figures = await writeRound(servers[backend], `round${round}`);
        result.byBackend[backend].push(figures);
        progress(`round ${round + 1}/${rounds} ${backend}: p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms, ${figures.writesPerSecond.toFixed(0)} writes/s`);
      }
    }
    return result;
  } finally {
    for (const daemon of daemons) await daemon.cleanup().catch((err: unknown) => progress(`cleanup: ${String(err)}`));
    await etcd.stop();
  }
}

export function formatStoreWrites(r: StoreWritesBench): string {
  const of = (backend: Backend, field: keyof RoundFigures) => median(r.byBackend[backend].map((f) => f[field]));
  const line = (backend: Backend) =>
    `  ${backend.padEnd(5)} p50 ${of(backend, 'p50').toFixed(1)} ms, p99 ${of(backend, 'p99').toFixed(1)} ms ` +
    `(create p99 ${of(backend, 'createP99').toFixed(1)} ms, patch p99 ${of(backend, 'patchP99').toFixed(1)} ms), ` +
    `${of(backend, 'writesPerSecond').toFixed(0)} writes/s, errors ${r.byBackend[backend].reduce((sum, f) => sum + f.errors, 0)}`;
  return [
    `API writes by store backend (${r.writers} clients, ${r.writesPerRound / 2} creates + ${r.writesPerRound / 2} merge patches of ConfigMaps per round; medians of ${r.rounds} rounds)`,
    line('nedb'),
    line('etcd'),
    `  etcd / nedb: p99 ${(of('etcd', 'p99') / of('nedb', 'p99')).toFixed(2)}x, p50 ${(of('etcd', 'p50') / of('nedb', 'p50')).toFixed(2)}x, throughput ${(of('etcd', 'writesPerSecond') / of('nedb', 'writesPerSecond')).toFixed(2)}x`,
  ].join('\n');
}
