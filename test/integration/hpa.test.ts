// covers: HorizontalPodAutoscaler spec.scaleTargetRef.kind, spec.scaleTargetRef.name, spec.minReplicas, spec.maxReplicas, spec.metrics.type, spec.metrics.resource.name, spec.metrics.resource.target.type, spec.metrics.resource.target.averageUtilization, status.currentReplicas, status.desiredReplicas, status.currentMetrics, status.conditions
// The HorizontalPodAutoscaler end to end: a real kubelabd on the real Docker Engine, the real
// kubectl 1.32 (autoscale POSTs autoscaling/v1 protobuf; get and describe read autoscaling/v2)
// and the kubelab CLI, checked by what a user sees. The daemon runs with short periods so a
// whole scale up and down fits in a few minutes: the kubelet samples usage every 2 s
// (--housekeeping-interval), the HPA syncs every 3 s and scales down after 15 s of lower
// recommendations (--hpa-sync-period, --hpa-downscale-stabilization; Kubernetes: 15 s, 300 s).

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eventually, TestDaemon, type CliResult } from '../../harness/test-daemon.js';
import { Kubectl, requireKubectl, tableRows } from '../helpers/kubectl.js';

function deployment(name: string, cpu: string, command?: string): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: {name: ${name}}`,
    'spec:',
    '  replicas: 1',
    `  selector: {matchLabels: {app: ${name}}}`,
    '  template:',
    `    metadata: {labels: {app: ${name}}}`,
    '    spec:',
    '      terminationGracePeriodSeconds: 1',
    '      containers:',
    `      - name: app`,
    `        image: ${command ? 'kubelab/busybox:1' : 'kubelab/hello:v1'}`,
    ...(command ? [`        command: ["sh", "-c", ${JSON.stringify(command)}]`] : []),
    `        resources: {requests: {cpu: ${cpu}}}`,
    '',
  ].join('\n');
}

describe('HorizontalPodAutoscaler on the real engine', function () {
  this.timeout(600_000);
  let daemon: TestDaemon;
  let scratch: string;

  before(async () => {
    daemon = await TestDaemon.start({ args: ['--housekeeping-interval', '2', '--hpa-sync-period', '3', '--hpa-downscale-stabilization', '15'] });
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-hpa-'));
  });
  after(async () => {
    await daemon?.cleanup();
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
  });

  async function kubelab(args: string[], timeoutMs = 60_000): Promise<CliResult> {
    const r = await daemon.kubelab(args, { timeoutMs });
    assert.equal(r.code, 0, `kubelab ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
    return r;
  }

  async function apply(name: string, text: string): Promise<void> {
    const file = path.join(scratch, `${name}.yaml`);
    await fs.writeFile(file, text);
    await kubelab(['apply', '-f', file]);
  }

  it('kubectl autoscale, get hpa and describe hpa', async function () {
    const kubectl = await Kubectl.forDaemon(requireKubectl(this), daemon);
    try {
      await apply('web', deployment('web', '100m'));
      assert.equal((await kubectl.ok(['autoscale', 'deploy/web', '--min=1', '--max=3', '--cpu-percent=50'])).trim(), 'horizontalpodautoscaler.autoscaling/web autoscaled');
      const rows = tableRows(await kubectl.ok(['get', 'hpa']));
      assert.deepEqual(rows[0], ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
      assert.deepEqual(rows[1].slice(0, 5), ['web', 'Deployment/web', 'cpu: <unknown>/50%', '1', '3']);
      // The controller has looked at it: its conditions say what it found.
      const described = await eventually(async () => {
        const out = await kubectl.ok(['describe', 'hpa', 'web']);
        return /AbleToScale/.test(out) && out;
      }, 60_000, 1000);
      assert.match(described, /^Reference:\s+Deployment\/web$/m);
      assert.match(described, /^Metrics:\s+\( current \/ target \)$/m);
      assert.match(described, /^\s+resource cpu on pods\s+\(as a percentage of request\):\s+(<unknown>|\d+% \(\S+\)) \/ 50%$/m);
      assert.match(described, /^Min replicas:\s+1$/m);
      assert.match(described, /^Max replicas:\s+3$/m);
      assert.match(described, /^Deployment pods:\s+1 current \/ \d desired$/m);
      assert.match(described, /^\s+AbleToScale\s+True\s+\w+/m);
      // v1 and v2 are one object: kubectl reads it back through autoscaling/v1 too.
      assert.equal((await kubectl.ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-o', 'jsonpath={.spec.targetCPUUtilizationPercentage}'])).trim(), '50');
      assert.equal((await kubectl.ok(['get', 'hpa', 'web', '-o', 'jsonpath={.spec.metrics[0].resource.target.averageUtilization}'])).trim(), '50');
      // A metric kubelab cannot measure is refused, naming the field.
      const refused = await kubectl.run(['create', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: { name: 'external' },
          spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 3, metrics: [{ type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '10' } } }] },
        }),
      });
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /spec.metrics\[0\].external: Forbidden: kubelab does not support this field \(External metrics need an external metrics API/);
      await kubectl.ok(['delete', 'hpa', 'web']);
    } finally {
      await kubectl.killAll();
    }
  });

  it('kubelab autoscale, get hpa and describe hpa', async () => {
    await apply('api', deployment('api', '100m'));
    assert.equal((await kubelab(['autoscale', 'deployment', 'api', '--min=2', '--max=4', '--cpu-percent=60'])).stdout.trim(), 'horizontalpodautoscaler.autoscaling/api autoscaled');
    const rows = tableRows((await kubelab(['get', 'hpa'])).stdout);
    assert.deepEqual(rows[0], ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
    assert.deepEqual(rows.find((r) => r[0] === 'api')?.slice(0, 5), ['api', 'Deployment/api', rows.find((r) => r[0] === 'api')![2], '2', '4']);
    assert.match(rows.find((r) => r[0] === 'api')![2], /^cpu: (<unknown>|\d+%)\/60%$/);
    // Below minReplicas: the HPA brings the Deployment up to 2 at once, whatever the metrics say.
    await eventually(async () => {
      const r = await daemon.kubelab(['get', 'deployment', 'api', '-o', 'jsonpath={.spec.replicas}']);
      return r.stdout.trim() === '2';
    }, 60_000, 1000);
    const described = await eventually(async () => {
      const out = (await kubelab(['describe', 'hpa', 'api'])).stdout;
      return /SuccessfulRescale/.test(out) && out;
    }, 60_000, 1000);
    assert.match(described, /SuccessfulRescale\s+\S+\s+horizontal-pod-autoscaler\s+New size: 2; reason: Current number of replicas below Spec.MinReplicas/);
    assert.match(described, /^Reference:\s+Deployment\/api$/m);
    await kubelab(['delete', 'hpa', 'api']);
  });

  it('scales a cpu-burning Deployment up to its max, and back down once the load stops', async () => {
    // Each pod burns cpu for its first 45 s, then idles: the load stops by itself, pods made by
    // the scale up included.
    await apply('burn', deployment('burn', '100m', 'trap "exit 0" TERM; end=$(( $(date +%s) + 45 )); while [ $(date +%s) -lt $end ]; do :; done; while :; do sleep 1; done'));
    await kubelab(['autoscale', 'deployment', 'burn', '--min=1', '--max=3', '--cpu-percent=50']);
    const hpaRow = async () => tableRows((await kubelab(['get', 'hpa', 'burn'])).stdout)[1];
    const up = await eventually(async () => {
      const row = await hpaRow();
      return row[5] === '3' && row;
    }, 180_000, 1000);
    assert.match(up[2], /^cpu: \d+%\/50%$/);
    const spec = await kubelab(['get', 'deployment', 'burn', '-o', 'jsonpath={.spec.replicas}']);
    assert.equal(spec.stdout.trim(), '3');
    const scaledUp = (await kubelab(['describe', 'hpa', 'burn'])).stdout;
    assert.match(scaledUp, /SuccessfulRescale\s+\S+\s+horizontal-pod-autoscaler\s+New size: 3; reason: cpu resource utilization \(percentage of request\) above target/);
    assert.match(scaledUp, /^\s+ScalingActive\s+True\s+ValidMetricFound\s+the HPA was able to successfully calculate a replica count from cpu resource utilization \(percentage of request\)$/m);
    // The burn ends; after the 15 s window of lower recommendations the HPA goes back to 1.
    await eventually(async () => {
      const row = await hpaRow();
      return row[5] === '1' && row;
    }, 240_000, 1000);
    const scaledDown = (await kubelab(['describe', 'hpa', 'burn'])).stdout;
    assert.match(scaledDown, /SuccessfulRescale\s+\S+\s+horizontal-pod-autoscaler\s+New size: 1; reason: All metrics below target/);
    assert.match(scaledDown, /^Deployment pods:\s+1 current \/ 1 desired$/m);
    await kubelab(['delete', 'hpa', 'burn']);
    await kubelab(['delete', 'deployment', 'burn']);
  });
});
