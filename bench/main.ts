// npm run bench: every benchmark against its baseline, measured side by side in one run on a
// real kubelabd (its own node name, network and data dir, removed afterwards). Medians and
// ratios only: these machines are shared and noisy. Gossip convergence needs no daemon: 50
// in-process members on the in-memory network, in simulated time (bench/gossip.ts). Node failure
// runs on a simulated three-host lab of its own (bench/lab-failure.ts).

import { TestDaemon } from '../harness/test-daemon.js';
import { loadClientConfig } from '../lib/client/kubeconfig.js';
import { benchApi, formatApiBench, type ApiBenchReport } from './api-load.js';
import { benchGossip } from './gossip.js';
import { benchHpaReaction, formatHpaReaction } from './hpa-reaction.js';
import { benchLabFailure, formatLabFailure } from './lab-failure.js';
import { benchPodStart } from './pod-start.js';
import { benchProxy, formatProxyBench, type ProxyBenchTarget } from './proxy.js';
import { benchRcScale } from './rc-scale.js';
import { benchSecretEncryption, formatSecretEncryption } from './secret-encryption.js';
import { formatResult, type BenchResult } from './stats.js';
import { benchUsageSampling, formatUsageSampling } from './usage-sampling.js';

async function main(): Promise<void> {
  const daemon = await TestDaemon.start();
  const results: BenchResult[] = [];
  let proxy: ProxyBenchTarget[] = [];
  let api: ApiBenchReport | undefined;
  try {
    results.push(await benchPodStart(daemon));
    results.push(await benchRcScale(daemon));
    proxy = await benchProxy(daemon);
    // Last: it leaves 10,000 ConfigMaps behind in the daemon's store.
    const config = loadClientConfig({ kubeconfig: daemon.kubeconfigPath });
    api = await benchApi({ server: config.server, token: config.token ?? '', caPem: config.caPem ?? '' });
  } finally {
    await daemon.cleanup();
  }
  console.log('\nkubelab benchmarks (lower is better; ratio = kubelab / baseline)');
  for (const r of results) console.log(formatResult(r));
  console.log(`\n${formatProxyBench(proxy)}`);
  if (api) console.log(`\n${formatApiBench(api)}`);
  console.log(`\n${await benchGossip()}`);
  console.log(`\n${formatLabFailure(await benchLabFailure())}`);
  console.log(`\n${formatSecretEncryption(await benchSecretEncryption())}`);
  console.log(`\n${formatHpaReaction(await benchHpaReaction())}`);
  console.log(`\n${formatUsageSampling(await benchUsageSampling())}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
