import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { PodStreams } from '../../daemon/pod-streams/pod-streams.js';
import { internalContext } from '../../daemon/api/registry.js';
import { ApiTestServer, eventually } from '../helpers/api-test-server.js';

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const AGGREGATED_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

const podManifest = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: name } },
  spec: { containers: [{ name: 'app', image: 'kubelab/busybox:1' }, { name: 'side', image: 'kubelab/busybox:1' }] },
  ...extra,
});

/** Log requests are recorded and answered with two lines. */
class FakePodStreams implements PodStreams {
  readonly calls: { pod: string; container: string; options: object }[] = [];
  async logs(pod: { metadata: { name?: string } }, container: string, options: object) {
    this.calls.push({ pod: pod.metadata.name ?? '', container, options });
    return Readable.from(['line 1\n', 'line 2\n']);
  }
  async exec(): Promise<never> {
    throw new Error('not used');
  }
  async attach(): Promise<never> {
    throw new Error('not used');
  }
  async portForward(): Promise<never> {
    throw new Error('not used');
  }
}

describe('API server over HTTPS (memory registry)', function () {
  this.timeout(20_000);
  let api: ApiTestServer;
  const streams = new FakePodStreams();

  before(async () => {
    api = await ApiTestServer.start({ podStreams: streams, maxBodyBytes: 64 * 1024, historyLimit: 5 });
  });
  after(async () => {
    await api?.close();
  });

  describe('authentication', () => {
    it('answers 401 Status without a token and with a wrong one', async () => {
      for (const token of [null, 'wrong']) {
        const res = await api.request('GET', '/api/v1/namespaces/default/pods', { token });
        assert.equal(res.status, 401);
        assert.deepEqual(res.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      }
    });

    it('leaves health and version open', async () => {
      for (const path of ['/healthz', '/livez', '/readyz']) {
        const res = await api.request('GET', path, { token: null });
        assert.equal(res.status, 200);
        assert.equal(res.text, 'ok');
      }
      const version = await api.request('GET', '/version', { token: null });
      assert.equal(version.json.gitVersion, 'v1.32.5+kubelab');
      assert.equal(version.json.minor, '32');
    });
  });

  describe('discovery and OpenAPI', () => {
    it('serves legacy documents', async () => {
      assert.deepEqual((await api.request('GET', '/api')).json.versions, ['v1']);
      const groups = (await api.request('GET', '/apis')).json;
      assert.equal(groups.kind, 'APIGroupList');
      assert.deepEqual(groups.groups.find((g: { name: string }) => g.name === 'apps').preferredVersion, { groupVersion: 'apps/v1', version: 'v1' });
      const apps = (await api.request('GET', '/apis/apps/v1')).json;
      assert.equal(apps.kind, 'APIResourceList');
      const deployments = apps.resources.find((r: { name: string }) => r.name === 'deployments');
      assert.deepEqual(deployments.shortNames, ['deploy']);
      assert.deepEqual(deployments.categories, ['all']);
      assert.deepEqual(apps.resources.find((r: { name: string }) => r.name === 'deployments/scale'), {
        name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'],
      });
      const core = (await api.request('GET', '/api/v1')).json;
      assert.ok(core.resources.some((r: { name: string }) => r.name === 'pods/log'));
      assert.equal((await api.request('GET', '/apis/apps')).json.kind, 'APIGroup');
    });

    it('serves aggregated discovery when the Accept header asks for it', async () => {
      const res = await api.request('GET', '/apis', { accept: AGGREGATED_ACCEPT });
      assert.equal(res.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
      assert.equal(res.json.kind, 'APIGroupDiscoveryList');
      const deployments = res.json.items[0].versions[0].resources.find((r: { resource: string }) => r.resource === 'deployments');
      assert.equal(deployments.scope, 'Namespaced');
      assert.deepEqual(deployments.subresources[0].responseKind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
      const core = (await api.request('GET', '/api', { accept: AGGREGATED_ACCEPT })).json;
      assert.equal(core.items[0].metadata.name, '');
    });

    it('publishes one patch operation with fieldValidation per kind, and 404 for v2', async () => {
      const index = (await api.request('GET', '/openapi/v3')).json;
      const url: string = index.paths['apis/apps/v1'].serverRelativeURL;
      assert.match(url, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
      const doc = (await api.request('GET', url)).json;
      const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
      assert.equal(patch.parameters[0].name, 'fieldValidation');
      assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
      assert.ok((await api.request('GET', '/openapi/v3/api/v1')).json.paths['/api/v1/nodes/{name}']);
      const v2 = await api.request('GET', '/openapi/v2');
      assert.equal(v2.status, 404);
      assert.equal(v2.json.reason, 'NotFound');
    });
  });

  describe('resources', () => {
    it('creates with 201, then gets and lists', async () => {
      const created = await api.request('POST', '/api/v1/namespaces/default/pods?fieldManager=kubectl-create&fieldValidation=Strict', { body: podManifest('web') });
      assert.equal(created.status, 201);
      assert.equal(created.json.metadata.namespace, 'default');
      const got = await api.request('GET', '/api/v1/namespaces/default/pods/web');
      assert.equal(got.json.metadata.uid, created.json.metadata.uid);
      const list = await api.request('GET', '/api/v1/namespaces/default/pods?limit=500');
      assert.equal(list.json.kind, 'PodList');
      assert.equal(list.json.apiVersion, 'v1');
      assert.deepEqual(list.json.items.map((p: { metadata: { name: string } }) => p.metadata.name), ['web']);
      assert.equal((await api.request('GET', '/api/v1/pods')).json.items.length, 1, 'all-namespaces list');
      assert.equal((await api.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dnope')).json.items.length, 0);
    });

    it('answers with a Table for as=Table, for lists and single objects', async () => {
      const list = (await api.request('GET', '/api/v1/namespaces/default/pods', { accept: TABLE_ACCEPT })).json;
      assert.equal(list.kind, 'Table');
      assert.deepEqual(list.columnDefinitions.slice(0, 5).map((c: { name: string }) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
      assert.deepEqual(list.rows[0].cells.slice(0, 2), ['web', '0/2']);
      assert.equal(list.rows[0].object.kind, 'PartialObjectMetadata');
      assert.equal(list.rows[0].object.metadata.labels.app, 'web');
      const one = (await api.request('GET', '/api/v1/namespaces/default/pods/web?includeObject=Object', { accept: TABLE_ACCEPT })).json;
      assert.equal(one.rows.length, 1);
      assert.equal(one.rows[0].object.kind, 'Pod');
    });

    it('passes Status errors through: 404, 409, 422', async () => {
      const missing = await api.request('GET', '/api/v1/namespaces/default/pods/nope');
      assert.equal(missing.status, 404);
      assert.equal(missing.json.message, 'pods "nope" not found');
      assert.deepEqual(missing.json.details, { name: 'nope', kind: 'pods' });

      const again = await api.request('POST', '/api/v1/namespaces/default/pods', { body: podManifest('web') });
      assert.equal(again.status, 409);
      assert.equal(again.json.reason, 'AlreadyExists');

      const noImage = podManifest('bad');
      (noImage.spec.containers[0] as { image?: string }).image = undefined;
      const invalid = await api.request('POST', '/api/v1/namespaces/default/pods', { body: noImage });
      assert.equal(invalid.status, 422);
      assert.equal(invalid.json.reason, 'Invalid');
      assert.deepEqual(invalid.json.details.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }]);
    });

    it('answers 404 Status for unknown paths and 405 for verbs a resource lacks', async () => {
      for (const path of ['/api/v1/bogus', '/apis/batch/v2/jobs', '/nothing/here', '/api/v1/pods/web']) {
        const res = await api.request('GET', path);
        assert.equal(res.status, 404, path);
        assert.equal(res.json.message, 'the server could not find the requested resource');
      }
      const res = await api.request('DELETE', '/api/v1/namespaces');
      assert.equal(res.status, 405);
      assert.equal(res.json.reason, 'MethodNotAllowed');
    });

    it('rejects bodies: 413 too large, 400 bad JSON, 415 unknown media types and server-side apply', async () => {
      const big = await api.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'big' }, data: { x: 'y'.repeat(100 * 1024) } } });
      assert.equal(big.status, 413);
      assert.equal(big.json.reason, 'RequestEntityTooLarge');

      const broken = await api.request('POST', '/api/v1/namespaces/default/pods', { rawBody: '{"metadata": {' });
      assert.equal(broken.status, 400);
      assert.equal(broken.json.reason, 'BadRequest');
      assert.match(broken.json.message, /not valid JSON/);

      const yaml = await api.request('POST', '/api/v1/namespaces/default/pods', { rawBody: 'kind: Pod', contentType: 'application/yaml' });
      assert.equal(yaml.status, 415);
      const patch = await api.request('PATCH', '/api/v1/namespaces/default/pods/web', { rawBody: '{}', contentType: 'text/plain' });
      assert.equal(patch.status, 415);
      assert.equal(patch.json.reason, 'UnsupportedMediaType');
      const apply = await api.request('PATCH', '/api/v1/namespaces/default/pods/web', { rawBody: 'kind: Pod', contentType: 'application/apply-patch+yaml' });
      assert.equal(apply.status, 415);
      assert.match(apply.json.message, /server-side apply/);
    });

    it('sends a Warning header per warning (fieldValidation=Warn)', async () => {
      const res = await api.request('POST', '/api/v1/namespaces/default/pods?fieldValidation=Warn', { body: podManifest('warned', { foo: 1 }) });
      assert.equal(res.status, 201);
      assert.equal(res.headers.warning, '299 - "unknown field \\"foo\\""');
    });

    it('patches with the type named by Content-Type, and deletes returning the object', async () => {
      const patched = await api.request('PATCH', '/api/v1/namespaces/default/pods/warned', { body: { metadata: { labels: { tier: 'fe' } } }, contentType: 'application/merge-patch+json' });
      assert.equal(patched.status, 200);
      assert.equal(patched.json.metadata.labels.tier, 'fe');
      const deleted = await api.request('DELETE', '/api/v1/namespaces/default/pods/warned', { body: { propagationPolicy: 'Background' } });
      assert.equal(deleted.status, 200);
      assert.equal(deleted.json.metadata.name, 'warned');
      assert.equal((await api.request('GET', '/api/v1/namespaces/default/pods/warned')).status, 404);
    });

    it('deletes a collection by label selector', async () => {
      for (const name of ['gone-1', 'gone-2']) {
        await api.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name, labels: { batch: 'x' } }, data: {} } });
      }
      const res = await api.request('DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=batch%3Dx');
      assert.equal(res.status, 200);
      assert.equal(res.json.kind, 'ConfigMapList');
      assert.equal(res.json.items.length, 2);
      assert.equal((await api.request('GET', '/api/v1/namespaces/default/configmaps')).json.items.length, 0);
    });

    it('serves the status and scale subresources and binds pods', async () => {
      const ctx = internalContext();
      await api.registry.create('deployments.apps', 'default', { metadata: { name: 'nginx' }, spec: { replicas: 2 } }, ctx);
      const scale = await api.request('GET', '/apis/apps/v1/namespaces/default/deployments/nginx/scale');
      assert.equal(scale.json.kind, 'Scale');
      assert.equal(scale.json.spec.replicas, 2);
      const scaled = await api.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/nginx/scale', { body: { spec: { replicas: 3 } }, contentType: 'application/merge-patch+json' });
      assert.equal(scaled.status, 200);
      assert.equal((await api.request('GET', '/apis/apps/v1/namespaces/default/deployments/nginx')).json.spec.replicas, 3);

      const status = await api.request('PUT', '/api/v1/namespaces/default/pods/web/status', { body: { metadata: { name: 'web' }, status: { phase: 'Running' } } });
      assert.equal(status.json.status.phase, 'Running');

      const binding = await api.request('POST', '/api/v1/namespaces/default/pods/web/binding', { body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Node', name: 'node-1' } } });
      assert.equal(binding.status, 201);
      assert.equal((await api.request('GET', '/api/v1/namespaces/default/pods/web')).json.spec.nodeName, 'node-1');
      const rebind = await api.request('POST', '/api/v1/namespaces/default/pods/web/binding', { body: { target: { kind: 'Node', name: 'node-2' } } });
      assert.equal(rebind.status, 409);
    });

    it('streams logs of the default container, and names a wrong container', async () => {
      await api.registry.patch('pods', 'default', 'web', { metadata: { annotations: { 'kubectl.kubernetes.io/default-container': 'side' } } }, 'merge', internalContext());
      const res = await api.request('GET', '/api/v1/namespaces/default/pods/web/log?tailLines=2&follow=false&timestamps=false');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      assert.equal(res.text, 'line 1\nline 2\n');
      assert.deepEqual(streams.calls.at(-1), { pod: 'web', container: 'side', options: { follow: false, timestamps: false, previous: false, tailLines: 2 } });

      const wrong = await api.request('GET', '/api/v1/namespaces/default/pods/web/log?container=nope');
      assert.equal(wrong.status, 400);
      assert.equal(wrong.json.message, 'container nope is not valid for pod web');
      assert.equal((await api.request('GET', '/api/v1/namespaces/default/pods/nope/log')).status, 404);
    });
  });

  describe('watch', () => {
    it('sends a BOOKMARK with the last version while a watch that allows them is quiet (the heartbeat)', async () => {
      const quiet = await ApiTestServer.start({ watchBookmarkIntervalMs: 100 });
      try {
        const created = await quiet.registry.create('secrets', 'default', { metadata: { name: 'b1' }, type: 'Opaque' }, internalContext());
        const watch = quiet.stream(`/api/v1/namespaces/default/secrets?watch=true&allowWatchBookmarks=true&resourceVersion=${created.metadata.resourceVersion}`);
        assert.equal(await watch.status, 200);
        await eventually(() => watch.lines.length >= 2, 3000, 'two bookmarks');
        assert.deepEqual(watch.lines[0], { type: 'BOOKMARK', object: { kind: 'Secret', apiVersion: 'v1', metadata: { resourceVersion: created.metadata.resourceVersion } } });
        watch.close();
        await watch.ended;
      } finally {
        await quiet.close();
      }
    });

    it('streams one JSON line per event and stops on client close', async () => {
      const watch = api.stream('/api/v1/namespaces/default/secrets?watch=true');
      assert.equal(await watch.status, 200);
      await api.registry.create('secrets', 'default', { metadata: { name: 's1' }, type: 'Opaque' }, internalContext());
      await eventually(() => watch.lines.length === 1, 3000, 'the ADDED event');
      assert.equal(watch.lines[0].type, 'ADDED');
      assert.equal(watch.lines[0].object.metadata.name, 's1');
      assert.equal(api.registry.openWatches, 1);
      watch.close();
      await watch.ended;
      await eventually(() => api.registry.openWatches === 0, 3000, 'the registry watch to stop');
    });

    it('sends one-row Tables with the column definitions only in the first event', async () => {
      const watch = api.stream('/api/v1/namespaces/default/pods?watch=1&resourceVersion=0', { accept: TABLE_ACCEPT });
      await eventually(() => watch.lines.length === 1, 3000, 'the initial ADDED event');
      await api.registry.patch('pods', 'default', 'web', { metadata: { labels: { v: '2' } } }, 'merge', internalContext());
      await eventually(() => watch.lines.length === 2, 3000, 'the MODIFIED event');
      watch.close();
      const [first, second] = watch.lines;
      assert.equal(first.object.kind, 'Table');
      assert.equal(first.object.columnDefinitions[0].name, 'Name');
      assert.equal(first.object.rows[0].cells[0], 'web');
      assert.equal(second.type, 'MODIFIED');
      assert.deepEqual(second.object.columnDefinitions, []);
      assert.equal(second.object.rows.length, 1);
    });

    it('ends with a 410 ERROR event when the resourceVersion is too old', async () => {
      const watch = api.stream('/api/v1/namespaces/default/pods?watch=true&resourceVersion=1');
      assert.equal(await watch.status, 200);
      await watch.ended;
      assert.equal(watch.lines.length, 1);
      assert.equal(watch.lines[0].type, 'ERROR');
      assert.equal(watch.lines[0].object.code, 410);
      assert.equal(watch.lines[0].object.reason, 'Expired');
    });

    it('ends the response after timeoutSeconds', async () => {
      const started = Date.now();
      const watch = api.stream('/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1');
      await watch.ended;
      assert.ok(Date.now() - started >= 900);
    });
  });
});
