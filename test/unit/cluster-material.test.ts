import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { caHashOf } from '../../lib/client/join.js';
import { createCaCertificate } from '../../daemon/pki/certificates.js';
import { checkClusterMaterial, planServerMaterial, readClusterMaterial, writeClusterMaterial, type ClusterMaterial } from '../../daemon/pki/cluster-material.js';

const ca = createCaCertificate('kubelab-ca', 1);
const otherCa = createCaCertificate('kubelab-ca', 1);
const material: ClusterMaterial = {
  caCert: ca.certPem,
  caKey: ca.keyPem,
  serviceAccountKey: 'sa key\n',
  serviceAccountPublicKey: 'sa pub\n',
  encryptionConfig: 'kind: EncryptionConfiguration\n',
  adminToken: 'admin\n',
  gossipKeyring: '{"keys":[]}\n',
  joinToken: 'K10...\n',
};
const without = (field: keyof ClusterMaterial): Partial<ClusterMaterial> => Object.fromEntries(Object.entries(material).filter(([k]) => k !== field));

describe('cluster material of a joining server', () => {
  describe('planServerMaterial', () => {
    const cases: { name: string; local: Partial<ClusterMaterial>; want: string }[] = [
      { name: 'an empty data dir fetches', local: {}, want: 'fetch' },
      { name: 'all of it, of the token\'s CA: a restart uses it (no live first server needed)', local: material, want: 'use-local' },
      { name: 'the CA but no sa.key (a torn bootstrap) fetches again', local: without('serviceAccountKey'), want: 'fetch' },
      { name: 'everything but the CA fetches', local: without('caCert'), want: 'fetch' },
      { name: 'an encryption config alone (a refused first start) fetches', local: { encryptionConfig: 'x' }, want: 'fetch' },
      { name: 'another cluster\'s CA is refused', local: { ...material, caCert: otherCa.certPem }, want: 'refuse' },
    ];
    for (const c of cases) {
      it(c.name, () => assert.equal(planServerMaterial(c.local, caHashOf(ca.certPem), '/data').action, c.want));
    }

    it('says whose CA the data dir holds and what to do', () => {
      const plan = planServerMaterial({ caCert: otherCa.certPem }, caHashOf(ca.certPem), '/data');
      assert.deepEqual(plan, {
        action: 'refuse',
        reason:
          `/data/pki/ca.crt holds the CA of another cluster than the one the join token names (sha256 ${caHashOf(otherCa.certPem)}, the token expects ${caHashOf(ca.certPem)}): ` +
          'give this server a new --data-dir, or the token of its own cluster',
      });
    });
  });

  describe('checkClusterMaterial', () => {
    it('accepts the full answer of the token\'s cluster', () => {
      assert.deepEqual(checkClusterMaterial({ ...material, extra: 1 }, caHashOf(ca.certPem), 'https://s1:6443'), material);
    });
    it('names the missing pieces of an older server\'s answer', () => {
      assert.throws(() => checkClusterMaterial({ caCert: ca.certPem, caKey: ca.keyPem }, caHashOf(ca.certPem), 'https://s1:6443'), {
        message: 'the server at https://s1:6443 answered the server bootstrap without serviceAccountKey, serviceAccountPublicKey, encryptionConfig, adminToken, gossipKeyring, joinToken: is it an older kubelabd? upgrade it first',
      });
    });
    it('refuses a CA the token does not name', () => {
      assert.throws(() => checkClusterMaterial({ ...material, caCert: otherCa.certPem }, caHashOf(ca.certPem), 'https://s1:6443'), /is not the one the join token names/);
    });
    it('refuses a CA key of another CA', () => {
      assert.throws(() => checkClusterMaterial({ ...material, caKey: otherCa.keyPem }, caHashOf(ca.certPem), 'https://s1:6443'), {
        message: 'the server at https://s1:6443 handed over a CA key that does not belong to its CA certificate',
      });
    });
  });

  it('is written mode 0600 where the server reads it, and read back byte for byte', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-material-'));
    try {
      await writeClusterMaterial(dataDir, material);
      for (const file of ['pki/ca.crt', 'pki/ca.key', 'pki/sa.key', 'pki/sa.pub', 'encryption-config.yaml', 'admin-token', 'gossip-keyring.json', 'join-token']) {
        assert.equal((await fs.stat(path.join(dataDir, file))).mode & 0o777, 0o600, file);
      }
      assert.deepEqual(await readClusterMaterial(dataDir), material);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
