// A load generator inside the lab: a busybox pod pinned to one host that requests a Service's
// ClusterIP in a loop, ten times a second, and logs each result (request-log.ts reads them back).
// The traffic stays inside the lab: pod to ClusterIP, through that host's proxy, to the pods.
// busybox's `wget -T` crashes, so `timeout 5` bounds each request instead: a request that hangs
// counts as failed rather than stopping the load.

import type { Pod } from '../../../lib/api/types.js';
import type { RestClient } from '../../../lib/client/rest-client.js';
import { CliError } from '../../cli-errors.js';
import { sleep } from '../run-command.js';
import { countRequests, type RequestCounts } from './request-log.js';

export function loadGeneratorPod(name: string, namespace: string, nodeName: string, url: string): Pod {
  const script = [
    'trap "exit 0" TERM',
    'while :; do',
    `  if r=$(timeout 5 wget -q -O - ${url} 2>&1); then echo "ok $r"; else echo "fail $r"; fi`,
    '  sleep 0.1',
    'done',
  ].join('\n');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { 'scenario.kubelab.io/role': 'load' } },
    spec: {
      nodeSelector: { 'kubernetes.io/hostname': nodeName },
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'load', image: 'kubelab/busybox:1', command: ['sh', '-c', script] }],
    },
  };
}

/** Everything the load pod has logged so far, counted. */
export async function readRequestCounts(client: RestClient, namespace: string, pod: string): Promise<RequestCounts> {
  const stream = await client.logs(namespace, pod, {});
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return countRequests(text);
}

/** Waits until the load pod has logged at least `atLeast` requests; returns the counts. */
export async function waitForRequests(client: RestClient, namespace: string, pod: string, atLeast: number, timeoutMs = 60_000): Promise<RequestCounts> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await readRequestCounts(client, namespace, pod).catch(() => undefined);
    if (counts && counts.ok + counts.failed >= atLeast) return counts;
    if (Date.now() > deadline) throw new CliError(`load generator ${pod} logged fewer than ${atLeast} requests in ${timeoutMs / 1000} s; see "kubelab logs -n ${namespace} ${pod}"`);
    await sleep(500);
  }
}
