// npm run bench: every benchmark against its baseline, measured side by side in one run on a
// real kubelabd (its own node name, network and data dir, removed afterwards). Medians and
// ratios only: these machines are shared and noisy.

import { TestDaemon } from '../test/helpers/test-daemon.js';
import { benchPodStart } from './pod-start.js';
import { benchProxy, formatProxyBench, type ProxyBenchTarget } from './proxy.js';
import { benchRcScale } from './rc-scale.js';
import { formatResult, type BenchResult } from './stats.js';

async function main(): Promise<void> {
  const daemon = await TestDaemon.start();
  const results: BenchResult[] = [];
  let proxy: ProxyBenchTarget[] = [];
  try {
    results.push(await benchPodStart(daemon));
    results.push(await benchRcScale(daemon));
    proxy = await benchProxy(daemon);
  } finally {
    await daemon.cleanup();
  }
  console.log('\nkubelab benchmarks (lower is better; ratio = kubelab / baseline)');
  for (const r of results) console.log(formatResult(r));
  console.log(`\n${formatProxyBench(proxy)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
