// HPA reaction time: from the moment a Deployment's pod starts burning cpu until the
// HorizontalPodAutoscaler first writes a larger replica count to the Deployment's /scale.
//
// A daemon of its own runs with --hpa-sync-period 5 (Kubernetes' default is 15 s; the figure is
// printed with the period it ran with). Each round: a one-replica Deployment whose pod waits
// for a file, an HPA at 50 % cpu (min 1, max 3); once the HPA reports a measured utilization
// (the pod is sampled and counted), `kubelab exec ... touch /go` starts the burn: that is
// t0. The API is polled every 100 ms for spec.replicas > 1.
//
// What the time is made of: the kubelet's next usage sample (its sampling period and the cpu
// rate window), the HPA's next sync, and the write to /scale.

import { loadClientConfig } from '../lib/client/kubeconfig.js';
import { RestClient } from '../lib/client/rest-client.js';
import type { HorizontalPodAutoscaler } from '../lib/api/autoscaling-types.js';
import type { Deployment, Pod } from '../lib/api/types.js';
import { TestDaemon } from '../harness/test-daemon.js';
import { median } from './stats.js';

export interface HpaReactionBench {
  syncPeriodSeconds: number;
  reactionMs: number[];
}

const SYNC_PERIOD_SECONDS = 5;

function deployment(name: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { bench: name } },
      template: {
        metadata: { labels: { bench: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'burn',
              image: 'kubelab/busybox:1',
              command: ['sh', '-c', 'trap "exit 0" TERM; while [ ! -f /go ]; do sleep 0.2; done; while :; do :; done'],
              resources: { requests: { cpu: '100m' } },
            },
          ],
        },
      },
    },
  } as Deployment;
}

function autoscaler(name: string): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 1,
      maxReplicas: 3,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    },
  };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`hpa bench: ${what} not reached in ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function benchHpaReaction(rounds = 3): Promise<HpaReactionBench> {
  const daemon = await TestDaemon.start({ args: ['--hpa-sync-period', String(SYNC_PERIOD_SECONDS)] });
  const client = new RestClient(loadClientConfig({ kubeconfig: daemon.kubeconfigPath }));
  const result: HpaReactionBench = { syncPeriodSeconds: SYNC_PERIOD_SECONDS, reactionMs: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      const name = `hpa-bench-${round}`;
      await client.create('deployments.apps', deployment(name));
      await client.create('horizontalpodautoscalers.autoscaling', autoscaler(name));
      // Steady state: the idle pod is measured and counted (TARGETS shows a number).
      await until(
        () => client.get<HorizontalPodAutoscaler>('horizontalpodautoscalers.autoscaling', 'default', name),
        (hpa) => hpa.status?.currentMetrics?.[0]?.resource?.current.averageUtilization !== undefined,
        180_000,
        `${name} measured`,
      );
      const pod = (await client.list<Pod>('pods', { namespace: 'default', labelSelector: `bench=${name}` })).items.find((p) => p.status?.phase === 'Running');
      if (!pod) throw new Error(`hpa bench: no running pod of ${name}`);
      const exec = await daemon.kubelab(['exec', pod.metadata.name!, '--', 'touch', '/go']);
      if (exec.code !== 0) throw new Error(`hpa bench: kubelab exec failed: ${exec.stderr}`);
      const started = Date.now();
      await until(() => client.get<Deployment>('deployments.apps', 'default', name), (d) => (d.spec.replicas ?? 1) > 1, 180_000, `${name} scaled up`);
      result.reactionMs.push(Date.now() - started);
      await client.delete('horizontalpodautoscalers.autoscaling', 'default', name);
      await client.delete('deployments.apps', 'default', name, { propagationPolicy: 'Background' });
    }
  } finally {
    client.close();
    await daemon.cleanup();
  }
  return result;
}

export function formatHpaReaction(r: HpaReactionBench): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `HPA reaction: cpu load start -> first scale-up (--hpa-sync-period ${r.syncPeriodSeconds} s; Kubernetes' default is 15 s)`,
    `  median ${seconds(median(r.reactionMs))} (n=${r.reactionMs.length}: ${r.reactionMs.map(seconds).join(', ')})`,
  ].join('\n');
}
