import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureJoinToken } from '../../daemon/pki/join-token.js';
import { ensurePki } from '../../daemon/pki/pki.js';
import { createServingCertificate } from '../../daemon/pki/certificates.js';
import { ensurePrivateDirectory } from '../../daemon/private-files.js';
import { CREDENTIALS_FILE, joinCluster } from '../../lib/client/join.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';

const modeOf = async (p: string): Promise<string> => ((await fs.stat(p)).mode & 0o777).toString(8);

const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'default' }, data: { password: 'aHVudGVyMg==' } };

describe('private data files (data dir, store directory, store files)', () => {
  let root: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-modes-'));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('makes a data directory that already exists with 0755 private (0700), and creates a missing one 0700', async () => {
    const existing = path.join(root, 'data');
    await fs.mkdir(existing, { mode: 0o755 });
    await fs.chmod(existing, 0o755); // whatever the umask
    await ensurePrivateDirectory(existing);
    assert.equal(await modeOf(existing), '700');

    const fresh = path.join(root, 'new', 'data');
    await ensurePrivateDirectory(fresh);
    assert.equal(await modeOf(fresh), '700');
  });

  it('makes an existing 0755 store directory and 0644 datafile private at open, and keeps them private after writes and compaction', async () => {
    const dir = path.join(root, 'store');
    await fs.mkdir(dir);
    await fs.chmod(dir, 0o755);
    await fs.writeFile(path.join(dir, 'objects.db'), '');
    await fs.chmod(path.join(dir, 'objects.db'), 0o644);

    const store = new NedbObjectStore({ dataDir: dir });
    await store.open();
    assert.equal(await modeOf(dir), '700');
    assert.equal(await modeOf(path.join(dir, 'objects.db')), '600');
    await store.create('secrets', secret);
    await store.close(); // compacts: nedb writes a new file and renames it over the old one
    assert.equal(await modeOf(path.join(dir, 'objects.db')), '600');

    const reopened = new NedbObjectStore({ dataDir: dir });
    await reopened.open();
    assert.deepEqual((await reopened.get('secrets', 'default', 'db')).data, secret.data);
    await reopened.close();
    for (const file of await fs.readdir(dir)) assert.equal(await modeOf(path.join(dir, file)), '600', file);
  });

  it('creates a new store directory 0700 and its datafile 0600', async () => {
    const dir = path.join(root, 'data', 'store');
    const store = new NedbObjectStore({ dataDir: dir });
    await store.open();
    await store.create('secrets', secret);
    assert.equal(await modeOf(dir), '700');
    assert.equal(await modeOf(path.join(dir, 'objects.db')), '600');
    await store.close();
  });

  it('makes the PKI files, admin token, join token and a node\'s credentials 0600 at start when an older or copied file is 0644', async () => {
    const dataDir = path.join(root, 'server');
    const pki = await ensurePki(dataDir, { hostnames: [], ips: [] });
    const token = await ensureJoinToken(dataDir, pki.caCertPem);
    const files = ['pki/ca.crt', 'pki/ca.key', 'pki/apiserver.crt', 'pki/apiserver.key', 'admin-token', 'join-token'].map((f) => path.join(dataDir, f));
    for (const file of files) await fs.chmod(file, 0o644);
    await ensurePki(dataDir, { hostnames: [], ips: [] });
    await ensureJoinToken(dataDir, pki.caCertPem);
    for (const file of files) assert.equal(await modeOf(file), '600', file);

    // An agent's saved credentials, valid for this token: joinCluster uses them without asking the server.
    const agentDir = path.join(root, 'agent');
    await fs.mkdir(agentDir);
    const credentials = path.join(agentDir, CREDENTIALS_FILE);
    const joinTokenHash = crypto.createHash('sha256').update(token).digest('hex');
    const kubelet = createServingCertificate({ commonName: 'system:node:n2', sans: { dns: ['n2'], ips: ['10.0.0.2'] }, years: 1, issuer: { certPem: pki.caCertPem, keyPem: pki.caKeyPem } });
    await fs.writeFile(credentials, JSON.stringify({
      server: 'https://10.0.0.1:6443', nodeName: 'n2', nodeIPs: ['10.0.0.2'], joinTokenHash, caPem: pki.caCertPem, nodeToken: 't',
      kubeletCertPem: kubelet.certPem, kubeletKeyPem: kubelet.keyPem,
    }));
    await fs.chmod(credentials, 0o644);
    const noJoinExpected = () => assert.fail('the saved credentials are valid: no new key pair is needed');
    await joinCluster({ server: 'https://10.0.0.1:6443', token, nodeName: 'n2', nodeIPs: ['10.0.0.2'], dataDir: agentDir, createKubeletCsr: noJoinExpected });
    assert.equal(await modeOf(credentials), '600');
  });
});
