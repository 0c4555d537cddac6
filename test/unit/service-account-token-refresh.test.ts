import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Pod } from '../../lib/api/types.js';
import type { TokenRequest } from '../../lib/api/service-account-types.js';
import { ManualClock } from '../../lib/clock.js';
import { tokenRequiresRefresh, type ServiceAccountTokenClient } from '../../daemon/kubelet/service-account-tokens.js';
import { VolumeManager } from '../../daemon/kubelet/volumes.js';
import { newTestCluster, type TestCluster } from '../helpers/test-cluster.js';
import { FakeTmpfs } from '../fakes/fake-tmpfs.js';

const HOUR_MS = 3600_000;

describe('tokenRequiresRefresh', () => {
  const issued = Date.parse('2025-01-01T00:00:00Z');
  const cases: { name: string; ttlSeconds: number; ageMs: number; jitterMs?: number; due: boolean }[] = [
    { name: 'fresh token', ttlSeconds: 3607, ageMs: 0, due: false },
    { name: 'just before 80% of its TTL', ttlSeconds: 3607, ageMs: 2886_000 - 1000, due: false },
    { name: 'past 80% of its TTL', ttlSeconds: 3607, ageMs: 2886_000 + 1, due: true },
    { name: 'expired', ttlSeconds: 3607, ageMs: 4000_000, due: true },
    { name: 'jitter moves the refresh earlier', ttlSeconds: 3607, ageMs: 2886_000 - 5000, jitterMs: 9000, due: true },
    { name: 'a 48 h token at 23 h', ttlSeconds: 48 * 3600, ageMs: 23 * HOUR_MS, due: false },
    { name: 'a 48 h token past 24 h (maxTTL), long before 80%', ttlSeconds: 48 * 3600, ageMs: 24 * HOUR_MS + 1, due: true },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.due ? 'due' : 'not due'}`, () => {
      const token = { expiresAtMs: issued + c.ttlSeconds * 1000, ttlSeconds: c.ttlSeconds };
      assert.equal(tokenRequiresRefresh(token, issued + c.ageMs, c.jitterMs ?? 0), c.due);
    });
  }
});

describe('VolumeManager service account token refresh', () => {
  let dataDir: string;
  let cluster: TestCluster;
  const clock = new ManualClock('2025-01-01T00:00:00Z');
  const requests: TokenRequest[] = [];
  const tokens: ServiceAccountTokenClient = {
    async createToken(_namespace, _name, request) {
      requests.push(request);
      const exp = clock.now().getTime() + request.spec.expirationSeconds! * 1000;
      return { ...request, status: { token: `token-${requests.length}`, expirationTimestamp: new Date(exp).toISOString() } };
    },
  };
  const pod: Pod = {
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1' },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'app', image: 'i' }],
      volumes: [{ name: 'kube-api-access', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }, { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } }] } }],
    },
  };

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-token-refresh-'));
    cluster = await newTestCluster();
  });
  after(async () => {
    await cluster.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('replaces the token file after 80% of its lifetime and not before, atomically', async () => {
    const volumes = new VolumeManager(cluster.client, dataDir, new FakeTmpfs(), tokens, clock);
    const prepared = await volumes.preparePodVolumes(pod);
    const file = path.join(prepared.get('kube-api-access')!.hostPath, 'token');
    assert.equal(await fs.readFile(file, 'utf8'), 'token-1');

    // A container restart prepares the volumes again: the kept token is reused.
    await volumes.preparePodVolumes(pod);
    assert.equal(requests.length, 1);

    await clock.advance(2886_000 - 11_000); // 80% of 3607 s, less the largest jitter and a second
    assert.deepEqual(await volumes.refreshServiceAccountTokens(pod), []);
    assert.equal(await fs.readFile(file, 'utf8'), 'token-1');
    assert.equal(requests.length, 1);

    await clock.advance(12_000); // past 80%
    assert.deepEqual(await volumes.refreshServiceAccountTokens(pod), ['kube-api-access']);
    assert.equal(await fs.readFile(file, 'utf8'), 'token-2');
    assert.equal(await fs.readFile(path.join(path.dirname(file), 'namespace'), 'utf8'), 'default');
    assert.equal(requests[1].spec.boundObjectRef?.uid, 'uid-1');
    assert.equal(requests[1].spec.expirationSeconds, 3607);
    // Written the AtomicWriter way: the name is a link through ..data, swapped in one rename.
    assert.equal(await fs.readlink(file), path.join('..data', 'token'));
    const entries = (await fs.readdir(path.dirname(file))).filter((e) => e.startsWith('..') && e !== '..data');
    assert.equal(entries.length, 1, `one timestamped folder left, got ${entries.join(', ')}`);

    // The new token is not due again right away.
    await clock.advance(60_000);
    assert.deepEqual(await volumes.refreshServiceAccountTokens(pod), []);
    assert.equal(requests.length, 2);
  });

  it('a kubelet that did not write the token (it restarted) replaces it once, then keeps it', async () => {
    const volumes = new VolumeManager(cluster.client, dataDir, new FakeTmpfs(), tokens, clock);
    const before = requests.length;
    assert.deepEqual(await volumes.refreshServiceAccountTokens(pod), ['kube-api-access']);
    assert.deepEqual(await volumes.refreshServiceAccountTokens(pod), []);
    assert.equal(requests.length, before + 1);
    assert.equal(await fs.readFile(path.join(dataDir, 'pods/uid-1/volumes/kubernetes.io~projected/kube-api-access/token'), 'utf8'), `token-${before + 1}`);
  });
});
