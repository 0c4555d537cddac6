// Server-side apply over real HTTPS and the real write pipeline: PATCH with
// application/apply-patch+yaml creates or merges, metadata.managedFields records who owns what
// (Apply and Update entries), conflicts are answered with kube-apiserver's 409, force takes
// fields over, dryRun=All writes nothing, and the 422s for missing or misplaced options.
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { ApiTestServer } from '../helpers/api-test-server.js';

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const APPLY = 'application/apply-patch+yaml';

const deploymentYaml = (name: string, replicas: number, image = 'kubelab/busybox:1') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: main
        image: ${image}
`;

describe('server-side apply (API)', () => {
  let api: ApiTestServer<ResourceRegistry>;
  let store: NedbObjectStore;
  const apply = (name: string, body: string, query = 'fieldManager=alice') =>
    api.request('PATCH', `${DEPLOYMENTS}/${name}?${query}`, { rawBody: body, contentType: APPLY });

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

  it('creates an absent object (201) with one Apply entry, then answers 200 for the same configuration', async () => {
    const created = await apply('one', deploymentYaml('one', 2));
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.spec.replicas, 2);
    assert.equal(created.json.spec.strategy.type, 'RollingUpdate', 'defaults applied');
    const [entry] = created.json.metadata.managedFields;
    assert.equal(entry.manager, 'alice');
    assert.equal(entry.operation, 'Apply');
    assert.equal(entry.apiVersion, 'apps/v1');
    assert.equal(entry.fieldsType, 'FieldsV1');
    assert.deepEqual(entry.fieldsV1['f:spec']['f:template']['f:spec']['f:containers'], { 'k:{"name":"main"}': { '.': {}, 'f:image': {}, 'f:name': {} } });
    const again = await apply('one', deploymentYaml('one', 2));
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.metadata.resourceVersion, created.json.metadata.resourceVersion, 'nothing changed, nothing written');
  });

  it('JSON is YAML: an apply body in JSON works too', async () => {
    const body = JSON.stringify(parse(deploymentYaml('one', 2)));
    const res = await apply('one', body);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.spec.replicas, 2);
  });

  it('an ordinary write records an Update entry named by fieldManager, or by the User-Agent', async () => {
    const scaled = await api.request('PATCH', `${DEPLOYMENTS}/one?fieldManager=kubectl-scale`, { body: { spec: { replicas: 3 } }, contentType: 'application/merge-patch+json' });
    assert.equal(scaled.status, 200, scaled.text);
    const scale = scaled.json.metadata.managedFields.find((e: { manager: string }) => e.manager === 'kubectl-scale');
    assert.deepEqual({ operation: scale.operation, fieldsV1: scale.fieldsV1 }, { operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
    const labelled = await api.request('PATCH', `${DEPLOYMENTS}/one`, { body: { metadata: { labels: { x: 'y' } } }, contentType: 'application/merge-patch+json', headers: { 'user-agent': 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc' } });
    assert.ok(labelled.json.metadata.managedFields.some((e: { manager: string }) => e.manager === 'kubectl'));
  });

  it('a conflicting value answers 409 as kube-apiserver does; force takes the field over', async () => {
    const refused = await apply('one', deploymentYaml('one', 5));
    assert.equal(refused.status, 409, refused.text);
    assert.deepEqual(refused.json, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-scale" using apps/v1', field: '.spec.replicas' }] },
      code: 409,
    });
    const forced = await apply('one', deploymentYaml('one', 5), 'fieldManager=alice&force=true');
    assert.equal(forced.status, 200, forced.text);
    assert.equal(forced.json.spec.replicas, 5);
    assert.equal(forced.json.metadata.managedFields.find((e: { manager: string }) => e.manager === 'kubectl-scale'), undefined, 'its only field was taken');
  });

  it('two managers, two fields: the plural message', async () => {
    await apply('two', deploymentYaml('two', 1));
    const other = await apply('two', deploymentYaml('two', 1), 'fieldManager=bob');
    assert.equal(other.status, 200, other.text);
    const res = await apply('two', deploymentYaml('two', 2, 'kubelab/hello:v2'), 'fieldManager=carol');
    assert.equal(res.status, 409);
    assert.equal(
      res.json.message,
      'Apply failed with 4 conflicts: conflicts with "alice":\n- .spec.replicas\n- .spec.template.spec.containers[name="main"].image\nconflicts with "bob":\n- .spec.replicas\n- .spec.template.spec.containers[name="main"].image',
    );
  });

  it('a field the manager no longer applies is removed', async () => {
    await apply('three', deploymentYaml('three', 1).replace('labels: {app: three}', 'labels: {app: three, tier: web}'));
    const res = await apply('three', deploymentYaml('three', 1));
    assert.deepEqual(res.json.spec.template.metadata.labels, { app: 'three' });
  });

  it('dryRun=All answers the result and writes nothing, for apply, create and patch', async () => {
    const dry = await apply('dry', deploymentYaml('dry', 1), 'fieldManager=alice&dryRun=All');
    assert.equal(dry.status, 201, dry.text);
    assert.equal(dry.json.spec.replicas, 1);
    assert.equal((await api.request('GET', `${DEPLOYMENTS}/dry`)).status, 404);
    const before = await api.request('GET', `${DEPLOYMENTS}/one`);
    const dryApply = await apply('one', deploymentYaml('one', 7), 'fieldManager=alice&dryRun=All');
    assert.equal(dryApply.json.spec.replicas, 7);
    const dryPatch = await api.request('PATCH', `${DEPLOYMENTS}/one?dryRun=All`, { body: { spec: { replicas: 9 } }, contentType: 'application/merge-patch+json' });
    assert.equal(dryPatch.json.spec.replicas, 9);
    const after = await api.request('GET', `${DEPLOYMENTS}/one`);
    assert.equal(after.json.metadata.resourceVersion, before.json.metadata.resourceVersion);
    assert.equal(after.json.spec.replicas, 5);
  });

  it('refuses an apply without fieldManager and force on other patches (422 on PatchOptions)', async () => {
    const missing = await apply('one', deploymentYaml('one', 1), '');
    assert.equal(missing.status, 422);
    assert.equal(missing.json.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const force = await api.request('PATCH', `${DEPLOYMENTS}/one?force=true`, { body: { spec: { replicas: 1 } }, contentType: 'application/merge-patch+json' });
    assert.equal(force.status, 422);
    assert.equal(force.json.message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  });

  it('refuses YAML that is not an object, and a name that is not the URL\'s', async () => {
    const list = await apply('one', '- a\n- b\n');
    assert.equal(list.status, 400);
    assert.equal(list.json.message, 'the applied configuration must be an object');
    const other = await apply('one', deploymentYaml('other', 1));
    assert.equal(other.status, 400);
    assert.equal(other.json.message, 'the name of the object (other) does not match the name on the URL (one)');
  });
});
