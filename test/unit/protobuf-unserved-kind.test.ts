// `kubectl create ingress` (or quota, priorityclass, poddisruptionbudget) against kubelab: the
// kind is not served, so the answer is kube-apiserver's 404 for the path, not a 415 about the
// protobuf body that kubectl's typed client sent.
import assert from 'node:assert/strict';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { ApiTestServer } from '../helpers/api-test-server.js';

/** A length-delimited protobuf field. */
const field = (number: number, bytes: Buffer): Buffer => Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
/** kubectl's envelope: "k8s\0", then runtime.Unknown { typeMeta { apiVersion, kind }, raw }. */
const envelope = (apiVersion: string, kind: string): Buffer =>
  Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, Buffer.concat([field(1, Buffer.from(apiVersion)), field(2, Buffer.from(kind))])), field(2, Buffer.alloc(0))]);

describe('protobuf bodies for kinds kubelab does not serve', () => {
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

  it('an Ingress POST gets the 404 of a path the server does not have', async () => {
    const res = await api.request('POST', '/apis/networking.k8s.io/v1/namespaces/default/ingresses', {
      rawBody: envelope('networking.k8s.io/v1', 'Ingress'),
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    assert.equal(res.status, 404, res.text);
    assert.equal(res.json.message, 'the server could not find the requested resource');
  });

  it('a served path with a kind the decoder does not know still says which kinds it decodes (415)', async () => {
    const res = await api.request('POST', '/api/v1/namespaces/default/configmaps', {
      rawBody: envelope('networking.k8s.io/v1', 'Ingress'),
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    assert.equal(res.status, 415, res.text);
    assert.match(res.json.message, /^kubelab decodes protobuf request bodies only for /);
  });
});
