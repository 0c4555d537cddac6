// covers: HorizontalPodAutoscaler spec.behavior.scaleUp.policies, spec.behavior.scaleDown.policies
// The HorizontalPodAutoscaler API over real HTTPS and the real write pipeline: autoscaling/v2
// stored, autoscaling/v1 served by conversion (kubectl autoscale's protobuf POST included),
// defaults, the 422s for what kubelab does not honour, and the `kubectl get hpa` row.
import assert from 'node:assert/strict';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { hpaV1ToV2, hpaV2ToV1 } from '../../lib/api/autoscaling-conversion.js';
import type { HorizontalPodAutoscaler } from '../../lib/api/autoscaling-types.js';
import { decodeKubernetesProtobuf } from '../../lib/api/protobuf-objects.js';
import { formatHpaTargets, horizontalPodAutoscalerPrinter } from '../../lib/printers/autoscaling-printers.js';
import { ApiTestServer } from '../helpers/api-test-server.js';

// kubectl 1.32 `autoscale deploy/web --min=1 --max=5 --cpu-percent=50`: its POST body, captured.
const KUBECTL_AUTOSCALE_BODY = 'azhzAAopCg5hdXRvc2NhbGluZy92MRIXSG9yaXpvbnRhbFBvZEF1dG9zY2FsZXISPwoTCgN3ZWISABoAIgAqADIAOABCABIiChoKCkRlcGxveW1lbnQSA3dlYhoHYXBwcy92MRABGAUgMhoEGAAgABoAIgA=';

const V2 = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers';
const V1 = '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers';

const hpaV2 = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, ...spec },
});

describe('HorizontalPodAutoscaler API (autoscaling/v2 and v1)', () => {
  let api: ApiTestServer<ResourceRegistry>;
  let store: NedbObjectStore;

  before(async () => {
    store = new NedbObjectStore();
    await store.open();
    const registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    api = await ApiTestServer.start({ registry });
  });
  after(async () => {
    await api?.close();
    await store?.close();
  });

  it('decodes kubectl autoscale\'s protobuf body (autoscaling/v1)', () => {
    assert.deepEqual(decodeKubernetesProtobuf(Buffer.from(KUBECTL_AUTOSCALE_BODY, 'base64')), {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
      status: {},
    });
  });

  it('stores a v1 POST (protobuf, as kubectl autoscale sends it) as v2, and serves it in both versions', async () => {
    const created = await api.request('POST', `${V1}?fieldManager=kubectl-autoscale`, {
      rawBody: Buffer.from(KUBECTL_AUTOSCALE_BODY, 'base64'),
      contentType: 'application/vnd.kubernetes.protobuf',
      accept: 'application/vnd.kubernetes.protobuf,application/json',
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.apiVersion, 'autoscaling/v1');
    assert.equal(created.json.spec.targetCPUUtilizationPercentage, 50);
    const v2 = await api.request('GET', `${V2}/web`);
    assert.equal(v2.json.apiVersion, 'autoscaling/v2');
    assert.deepEqual(v2.json.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
    assert.equal(v2.json.metadata.annotations, undefined);
    const v1 = await api.request('GET', `${V1}/web`);
    assert.deepEqual(v1.json.spec, { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 });
    const list = await api.request('GET', V1);
    assert.equal(list.json.apiVersion, 'autoscaling/v1');
    assert.equal(list.json.items[0].spec.targetCPUUtilizationPercentage, 50);
  });

  it('keeps v2-only fields through a v1 read-modify-write (the autoscaling.alpha.kubernetes.io annotations)', async () => {
    const behavior = { scaleDown: { stabilizationWindowSeconds: 60, policies: [{ type: 'Pods', value: 1, periodSeconds: 30 }] } };
    const metrics = [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
    ];
    assert.equal((await api.request('POST', V2, { body: hpaV2('both', { metrics, behavior }) })).status, 201);
    const v1 = (await api.request('GET', `${V1}/both`)).json;
    assert.equal(v1.spec.targetCPUUtilizationPercentage, 60);
    assert.ok(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics']);
    v1.spec.maxReplicas = 7;
    const put = await api.request('PUT', `${V1}/both`, { body: v1 });
    assert.equal(put.status, 200, put.text);
    const patched = await api.request('PATCH', `${V1}/both`, { body: { spec: { minReplicas: 2 } }, contentType: 'application/merge-patch+json' });
    assert.equal(patched.status, 200, patched.text);
    const v2 = (await api.request('GET', `${V2}/both`)).json;
    assert.deepEqual([v2.spec.minReplicas, v2.spec.maxReplicas], [2, 7]);
    assert.deepEqual(v2.spec.metrics, metrics);
    assert.equal(v2.spec.behavior.scaleDown.stabilizationWindowSeconds, 60);
    assert.equal(v2.metadata.annotations, undefined);
  });

  it('refuses unknown v1 fields under Strict, judged against the v1 schema', async () => {
    const res = await api.request('POST', `${V1}?fieldValidation=Strict`, {
      body: { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'typo' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3, targetCPUUtilisationPercentage: 50 } },
    });
    assert.equal(res.status, 400);
    assert.match(res.json.message, /unknown field "spec.targetCPUUtilisationPercentage"/);
  });

  it('fills Kubernetes\' defaults: minReplicas 1, 80 % cpu, and the behavior rules left out', async () => {
    const res = await api.request('POST', V2, { body: hpaV2('defaults', { behavior: { scaleDown: { stabilizationWindowSeconds: 30 } } }) });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.spec.minReplicas, 1);
    assert.deepEqual(res.json.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    assert.deepEqual(res.json.spec.behavior, {
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
    assert.equal(res.json.status, undefined);
  });

  const refused: { name: string; spec: Record<string, unknown>; field: string; says: RegExp }[] = [
    { name: 'Object metrics (no custom metrics API)', spec: { metrics: [{ type: 'Object', object: { describedObject: { kind: 'Service', name: 's' }, metric: { name: 'rps' }, target: { type: 'Value', value: '10' } } }] }, field: 'spec.metrics[0].object', says: /kubelab does not support this field \(Object metrics need a custom metrics API/ },
    { name: 'Pods metrics', spec: { metrics: [{ type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } } }] }, field: 'spec.metrics[0].pods', says: /kubelab does not support this field \(Pods metrics need a custom metrics API/ },
    { name: 'External metrics', spec: { metrics: [{ type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '10' } } }] }, field: 'spec.metrics[0].external', says: /kubelab does not support this field \(External metrics need an external metrics API/ },
    { name: 'a resource other than cpu and memory', spec: { metrics: [{ type: 'Resource', resource: { name: 'ephemeral-storage', target: { type: 'Utilization', averageUtilization: 50 } } }] }, field: 'spec.metrics[0].resource.name', says: /Unsupported value/ },
    { name: 'a Value target of a resource metric', spec: { metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Value', value: '1' } } }] }, field: 'spec.metrics[0].resource.target.type', says: /Unsupported value/ },
    { name: 'maxReplicas below minReplicas', spec: { minReplicas: 4, maxReplicas: 2 }, field: 'spec.maxReplicas', says: /must be greater than or equal to `minReplicas`/ },
    { name: 'minReplicas 0', spec: { minReplicas: 0 }, field: 'spec.minReplicas', says: /must be greater than or equal to 1/ },
    { name: 'a policy period over 30 min', spec: { behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 1801 }] } } }, field: 'spec.behavior.scaleUp.policies[0].periodSeconds', says: /less than or equal to 1800/ },
    { name: 'a stabilization window over an hour', spec: { behavior: { scaleDown: { stabilizationWindowSeconds: 3601 } } }, field: 'spec.behavior.scaleDown.stabilizationWindowSeconds', says: /less than or equal to 3600/ },
    { name: 'a target kind without /scale', spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' } }, field: 'spec.scaleTargetRef.kind', says: /kubelab scales only/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.name} with a 422 naming ${c.field}`, async () => {
      const res = await api.request('POST', V2, { body: hpaV2(`refused-${refused.indexOf(c)}`, c.spec) });
      assert.equal(res.status, 422, res.text);
      const cause = res.json.details.causes.find((x: { field: string }) => x.field === c.field);
      assert.ok(cause, `${c.field} in ${res.text}`);
      assert.match(cause.message, c.says);
    });
  }

  it('publishes hpa in discovery: autoscaling/v2 preferred, v1 served', async () => {
    const group = (await api.request('GET', '/apis/autoscaling')).json;
    assert.deepEqual(group.versions.map((v: { version: string }) => v.version), ['v2', 'v1']);
    assert.equal(group.preferredVersion.version, 'v2');
    const v2 = (await api.request('GET', '/apis/autoscaling/v2')).json;
    const hpa = v2.resources.find((r: { name: string }) => r.name === 'horizontalpodautoscalers');
    assert.deepEqual([hpa.kind, hpa.shortNames, hpa.categories], ['HorizontalPodAutoscaler', ['hpa'], ['all']]);
    assert.ok(v2.resources.some((r: { name: string }) => r.name === 'horizontalpodautoscalers/status'));
  });

  it('serves the kubectl get hpa Table', async () => {
    const table = (await api.request('GET', V2, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json;
    assert.deepEqual(table.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
    const row = table.rows.find((r: { cells: unknown[] }) => r.cells[0] === 'web');
    assert.deepEqual(row.cells.slice(0, 6), ['web', 'Deployment/web', 'cpu: <unknown>/50%', '1', 5, 0]);
  });
});

describe('HPA TARGETS column and conversion (pure)', () => {
  const base = hpaV2('x') as unknown as HorizontalPodAutoscaler;
  it('prints current/target per metric as kubectl 1.32 does', () => {
    const cases: [Partial<HorizontalPodAutoscaler['spec']>, HorizontalPodAutoscaler['status'], string][] = [
      [{ metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] }, undefined, 'cpu: <unknown>/50%'],
      [{ metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] }, { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 10, averageValue: '20m' } } }] }, 'cpu: 10%/50%'],
      [{ metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } }] }, { currentMetrics: [{ type: 'Resource', resource: { name: 'memory', current: { averageValue: '52428800' } } }] }, 'memory: 52428800/100Mi'],
      [{ metrics: [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 60 } } }] }, undefined, 'cpu/app: <unknown>/60%'],
      [
        {
          metrics: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
            { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 70 } } },
            { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } } },
          ],
        },
        undefined,
        'cpu: <unknown>/50%, memory: <unknown>/70% + 1 more...',
      ],
      [{ metrics: [] }, undefined, '<none>'],
    ];
    for (const [spec, status, want] of cases) assert.equal(formatHpaTargets({ ...base, spec: { ...base.spec, ...spec }, ...(status ? { status } : {}) }), want);
    const now = new Date();
    assert.equal(horizontalPodAutoscalerPrinter.cells({ ...base, metadata: { name: 'x', creationTimestamp: now.toISOString() } }, now)[3], '<unset>');
  });

  it('v2 → v1 → v2 keeps everything', () => {
    const full: HorizontalPodAutoscaler = {
      ...base,
      metadata: { name: 'x', namespace: 'default', annotations: { team: 'a' } },
      spec: {
        ...base.spec,
        minReplicas: 2,
        metrics: [
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } } },
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
        ],
        behavior: { scaleUp: { selectPolicy: 'Disabled' } },
      },
      status: {
        currentReplicas: 2,
        desiredReplicas: 3,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 75 } } }],
        conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'm', lastTransitionTime: '2026-01-01T00:00:00Z' }],
      },
    };
    const v1 = hpaV2ToV1(full);
    assert.deepEqual([v1.spec.targetCPUUtilizationPercentage, v1.status?.currentCPUUtilizationPercentage, v1.metadata.annotations?.team], [50, 75, 'a']);
    const back = hpaV1ToV2(v1);
    assert.deepEqual(back.spec.behavior, full.spec.behavior);
    assert.deepEqual(new Set(back.spec.metrics?.map((m) => JSON.stringify(m))), new Set(full.spec.metrics?.map((m) => JSON.stringify(m))));
    assert.deepEqual(back.status?.conditions, full.status?.conditions);
    assert.deepEqual(back.metadata.annotations, { team: 'a' });
  });
});

describe('kubelab autoscale (planAutoscaler)', () => {
  it('makes what kubectl autoscale makes, leaving min and cpu to the server when not given', async () => {
    const { planAutoscaler } = await import('../../cli/commands/autoscale.js');
    const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
    assert.deepEqual(planAutoscaler(target, { min: 1, max: 5, cpuPercent: 50 }).spec, {
      scaleTargetRef: target,
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    });
    assert.deepEqual(planAutoscaler(target, { min: -1, max: 3, cpuPercent: -1, name: 'other' }), {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'other' },
      spec: { scaleTargetRef: target, maxReplicas: 3 },
    });
    assert.throws(() => planAutoscaler(target, { min: -1, max: -1, cpuPercent: 50 }), /--max=MAXPODS is required and must be at least 1, max: -1/);
    assert.throws(() => planAutoscaler(target, { min: 4, max: 2, cpuPercent: 50 }), /--max=MAXPODS must be larger or equal to --min=MINPODS, max: 2, min: 4/);
  });
});
