// A ConfigMap's binaryData reaches the pod as files with the exact bytes, beside data; and
// `immutable: true` freezes data and binaryData for good, as in Kubernetes.
//
// covers: ConfigMap binaryData, immutable

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject, Pod } from '../../lib/api/types.js';
import { validateObject } from '../../lib/api/validation.js';
import { VolumeManager } from '../../daemon/kubelet/volumes.js';
import { newTestCluster, type TestCluster } from '../helpers/test-cluster.js';
import { FakeTmpfs } from '../fakes/fake-tmpfs.js';

describe('ConfigMap binaryData and immutable', () => {
  let dataDir: string;
  let cluster: TestCluster;

  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-configmap-'));
    cluster = await newTestCluster();
  });
  afterEach(async () => {
    await cluster.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('binaryData keys become files with the decoded bytes, next to the data keys', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80]);
    await cluster.client.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bin', namespace: 'default' }, data: { 'a.txt': 'hello' }, binaryData: { 'logo.bin': bytes.toString('base64') } });
    const volumes = new VolumeManager(cluster.client, dataDir, new FakeTmpfs());
    const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'uid-1' }, spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'i' }], volumes: [{ name: 'c', configMap: { name: 'bin' } }] } };
    const dir = (await volumes.preparePodVolumes(pod)).get('c')!.hostPath;
    assert.deepEqual(await fs.readFile(path.join(dir, 'logo.bin')), bytes);
    assert.equal(await fs.readFile(path.join(dir, 'a.txt'), 'utf8'), 'hello');
  });

  it('an immutable ConfigMap refuses changes to data and binaryData, and cannot become mutable again', () => {
    const old = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1' }, binaryData: { b: 'AA==' }, immutable: true } as KubeObject;
    const changed = (patch: object) => validateObject('configmaps', { ...structuredClone(old), ...patch } as KubeObject, old).map((e) => `${e.field}: ${e.message}`);
    assert.deepEqual(changed({ data: { a: '2' } }), ['data: Forbidden: field is immutable when `immutable` is set']);
    assert.deepEqual(changed({ binaryData: { b: 'AQ==' } }), ['binaryData: Forbidden: field is immutable when `immutable` is set']);
    assert.deepEqual(changed({ immutable: false }), ['immutable: Forbidden: field is immutable when `immutable` is set']);
    assert.deepEqual(changed({ metadata: { ...old.metadata, labels: { a: 'b' } } }), []);
  });
});
