// npm run bench: every benchmark against its baseline, measured side by side in one run on a
// real kubelabd (its own node name, network and data dir, removed afterwards). Medians and
// ratios only: these machines are shared and noisy. Gossip convergence needs no daemon: 50
// in-process members on the in-memory network, in simulated time (bench/gossip.ts). Node failure
// runs on a simulated three-host lab of its own (bench/lab-failure.ts). API writes on etcd against
// nedb run on two servers and an etcd of their own (bench/store-writes.ts); control-plane failover
// on a lab with three servers (bench/lab-failover.ts).
//
// `tsx bench/main.ts NAME...` runs only the named ones (see SELECTABLE below), each against a
// daemon, lab or API server of its own; those that touch Docker or a lab go under the lock:
// `npm run build && flock /tmp/kubelab-docker.lock npx tsx bench/main.ts pod-burst`.

import { TestDaemon } from '../harness/test-daemon.js';
import { loadClientConfig } from '../lib/client/kubeconfig.js';
import { benchApi, formatApiBench, formatWatchFanOut, watchFanOut, withOwnApiServer, type ApiBenchReport } from './api-load.js';
import { benchCliStartup, formatCliStartup, type CliStartupFigure } from './cli-startup.js';
import { benchDensity, benchLabDensity, formatDensity, formatLabDensity } from './density.js';
import { benchPodBurst, formatPodBurst } from './pod-burst.js';
import { benchScheduler, formatSchedulerBench } from './scheduler.js';
import { benchGossip } from './gossip.js';
import { benchHpaReaction, formatHpaReaction } from './hpa-reaction.js';
import { benchLabFailover, formatLabFailover } from './lab-failover.js';
import { benchLabFailure, formatLabFailure } from './lab-failure.js';
import { benchPodStart } from './pod-start.js';
import { benchProxy, formatProxyBench, type ProxyBenchReport } from './proxy.js';
import { benchRcScale } from './rc-scale.js';
import { benchSecretEncryption, formatSecretEncryption } from './secret-encryption.js';
import { benchStoreWrites, formatStoreWrites } from './store-writes.js';
import { formatResult, type BenchResult } from './stats.js';
import { benchUsageSampling, formatUsageSampling } from './usage-sampling.js';

/** Runs `use` on a kubelabd of its own, removed afterwards. */
async function withDaemon<T>(use: (daemon: TestDaemon) => Promise<T>): Promise<T> {
  const daemon = await TestDaemon.start();
  try {
    return await use(daemon);
  } finally {
    await daemon.cleanup();
  }
}

/** The benchmarks `tsx bench/main.ts NAME...` runs one by one; each resolves with its printed lines. */
const SELECTABLE: Record<string, () => Promise<string>> = {
  scheduler: async () => formatSchedulerBench(await benchScheduler()),
  'watch-fanout': async () => formatWatchFanOut(await withOwnApiServer((target) => watchFanOut(target, 1_000, 5))),
  'cli-startup': async () => formatCliStartup(await withDaemon((daemon) => benchCliStartup(daemon.kubeconfigPath))),
  'pod-start': async () => formatResult(await withDaemon(benchPodStart)),
  'pod-burst': async () => formatPodBurst(await withDaemon(benchPodBurst)),
  'rc-scale': async () => formatResult(await withDaemon(benchRcScale)),
  density: async () => formatDensity(await benchDensity()),
  'density-lab': async () => formatLabDensity(await benchLabDensity()),
  'store-writes': async () => formatStoreWrites(await benchStoreWrites()),
  'lab-failover': async () => formatLabFailover(await benchLabFailover()),
};

async function main(): Promise<void> {
  const selected = process.argv.slice(2);
  if (selected.length > 0) {
    const unknown = selected.filter((name) => !(name in SELECTABLE));
    if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}: choose from ${Object.keys(SELECTABLE).join(', ')}`);
    for (const name of selected) console.log(`\n${await SELECTABLE[name]()}`);
    return;
  }
  const daemon = await TestDaemon.start();
  const results: BenchResult[] = [];
  let proxy: ProxyBenchReport = { requests: [], bulk: [] };
  let api: ApiBenchReport | undefined;
  let cli: CliStartupFigure[] = [];
  let podBurst: Awaited<ReturnType<typeof benchPodBurst>> | undefined;
  try {
    cli = await benchCliStartup(daemon.kubeconfigPath);
    results.push(await benchPodStart(daemon));
    results.push(await benchRcScale(daemon));
    podBurst = await benchPodBurst(daemon);
    proxy = await benchProxy(daemon);
    // Last: it leaves 10,000 ConfigMaps behind in the daemon's store.
    const config = loadClientConfig({ kubeconfig: daemon.kubeconfigPath });
    api = await benchApi({ server: config.server, token: config.token ?? '', caPem: config.caPem ?? '' });
  } finally {
    await daemon.cleanup();
  }
  console.log('\nkubelab benchmarks (lower is better; ratio = kubelab / baseline)');
  for (const r of results) console.log(formatResult(r));
  if (podBurst) console.log(`\n${formatPodBurst(podBurst)}`);
  console.log(`\n${formatDensity(await benchDensity())}`);
  console.log(`\n${formatLabDensity(await benchLabDensity())}`);
  console.log(`\n${formatSchedulerBench(await benchScheduler())}`);
  console.log(`\n${formatProxyBench(proxy)}`);
  if (api) console.log(`\n${formatApiBench(api)}`);
  console.log(`\n${formatStoreWrites(await benchStoreWrites())}`);
  console.log(`\n${formatCliStartup(cli)}`);
  console.log(`\n${await benchGossip()}`);
  console.log(`\n${formatLabFailure(await benchLabFailure())}`);
  console.log(`\n${formatLabFailover(await benchLabFailover())}`);
  console.log(`\n${formatSecretEncryption(await benchSecretEncryption())}`);
  console.log(`\n${formatHpaReaction(await benchHpaReaction())}`);
  console.log(`\n${formatUsageSampling(await benchUsageSampling())}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
