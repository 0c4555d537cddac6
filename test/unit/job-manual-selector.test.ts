// A Job's selector is generated from its uid unless `manualSelector: true` leaves it to the user,
// as in Kubernetes; a selector written without it is kept and narrowed to the Job's uid.
//
// covers: Job spec.manualSelector, spec.selector

import assert from 'node:assert/strict';
import type { Job } from '../../lib/api/batch-types.js';
import { ApiError } from '../../lib/errors.js';
import { newTestCluster, type TestCluster } from '../helpers/test-cluster.js';

const job = (name: string, spec: Record<string, unknown>): Job =>
  ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: { template: { metadata: { labels: { app: 'batch' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i:1' }] } }, ...spec },
  }) as Job;

describe('Job manualSelector', () => {
  let cluster: TestCluster;
  beforeEach(async () => (cluster = await newTestCluster()));
  afterEach(async () => cluster.close());

  it('manualSelector true keeps the selector as written, and the template labels untouched', async () => {
    const created = await cluster.client.create<Job>('jobs.batch', job('manual', { manualSelector: true, selector: { matchLabels: { app: 'batch' } } }));
    assert.deepEqual(created.spec.selector, { matchLabels: { app: 'batch' } });
    assert.deepEqual(created.spec.template.metadata?.labels, { app: 'batch' });
  });

  it('without it the selector is generated from the uid', async () => {
    const created = await cluster.client.create<Job>('jobs.batch', job('auto', {}));
    assert.deepEqual(created.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': created.metadata.uid } });
  });

  it('a selector written without manualSelector is kept and narrowed to the uid, as Kubernetes does', async () => {
    const created = await cluster.client.create<Job>('jobs.batch', job('merged', { selector: { matchLabels: { app: 'batch' } } }));
    assert.deepEqual(created.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': created.metadata.uid, app: 'batch' } });
  });

  it('a selector naming another uid does not select the template: refused', async () => {
    await assert.rejects(cluster.client.create('jobs.batch', job('wrong', { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'someone-else' } } })), (error: unknown) => {
      assert.ok(error instanceof ApiError && error.code === 422, String(error));
      assert.match(error.message, /spec\.template\.metadata\.labels|spec\.selector/);
      return true;
    });
  });
});
