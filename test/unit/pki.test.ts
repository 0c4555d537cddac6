import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { Authenticator } from '../../daemon/api/auth.js';
import { createServingCertificate, randomSerialNumber, sansOfHost } from '../../daemon/pki/certificates.js';
import { buildKubeconfig, ensurePki, writeKubeconfig } from '../../daemon/pki/pki.js';

describe('pki', () => {
  it('draws certificate serials that are positive, minimal DER integers (OpenSSL 3 refuses a padded one)', () => {
    for (let i = 0; i < 5000; i++) {
      const serial = randomSerialNumber();
      assert.match(serial, /^[0-9a-f]{32}$/);
      const first = parseInt(serial.slice(0, 2), 16);
      assert.ok(first >= 0x01 && first <= 0x7f, serial);
    }
  });

  it('makes a self-signed serving certificate for one host (the kubelet stream server\'s), with an IP or DNS SAN', () => {
    const forIp = new crypto.X509Certificate(createServingCertificate({ commonName: 'kubelet@10.0.0.7', sans: sansOfHost('10.0.0.7'), years: 1 }).certPem);
    assert.equal(forIp.subjectAltName, 'IP Address:10.0.0.7');
    assert.ok(forIp.verify(forIp.publicKey), 'signed by its own key');
    assert.equal(forIp.ca, false);
    const forName = new crypto.X509Certificate(createServingCertificate({ commonName: 'kubelet@node-b', sans: sansOfHost('node-b'), years: 1 }).certPem);
    assert.equal(forName.subjectAltName, 'DNS:node-b');
  });

  let dataDir: string;
  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-pki-'));
  });
  after(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('creates a CA, a serving certificate with the SANs and a token, with private modes', async () => {
    const pki = await ensurePki(dataDir, { hostnames: ['node-a'], ips: ['10.0.0.5'] });
    const serving = new crypto.X509Certificate(pki.serverCertPem);
    const ca = new crypto.X509Certificate(pki.caCertPem);
    assert.ok(serving.verify(ca.publicKey));
    assert.ok(ca.ca);
    assert.match(serving.subjectAltName ?? '', /DNS:localhost/);
    assert.match(serving.subjectAltName ?? '', /DNS:node-a/);
    assert.match(serving.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.match(serving.subjectAltName ?? '', /IP Address:10\.0\.0\.5/);
    assert.match(pki.adminToken, /^[0-9a-f]{64}$/);
    assert.equal((await fs.stat(path.join(dataDir, 'pki'))).mode & 0o777, 0o700);
    assert.equal((await fs.stat(path.join(dataDir, 'pki', 'ca.key'))).mode & 0o777, 0o600);
    assert.equal((await fs.stat(path.join(dataDir, 'admin-token'))).mode & 0o777, 0o600);
  });

  it('loads the same material on a second start, and re-issues only the serving cert when SANs change', async () => {
    const first = await ensurePki(dataDir, { hostnames: ['node-a'], ips: ['10.0.0.5'] });
    const again = await ensurePki(dataDir, { hostnames: ['node-a'], ips: ['10.0.0.5'] });
    assert.deepEqual(again, first);
    const changed = await ensurePki(dataDir, { hostnames: ['node-a'], ips: ['10.0.0.6'] });
    assert.equal(changed.caCertPem, first.caCertPem);
    assert.equal(changed.adminToken, first.adminToken);
    assert.notEqual(changed.serverCertPem, first.serverCertPem);
    assert.match(new crypto.X509Certificate(changed.serverCertPem).subjectAltName ?? '', /10\.0\.0\.6/);
  });

  it('builds a kubeconfig kubectl reads and writes it with mode 0600', async () => {
    const yaml = buildKubeconfig({ server: 'https://127.0.0.1:6443', caCertPem: 'PEM', token: 't0k' });
    const config = parse(yaml);
    assert.equal(config['current-context'], 'admin@kubelab');
    assert.equal(config.clusters[0].cluster['certificate-authority-data'], Buffer.from('PEM').toString('base64'));
    assert.equal(config.users[0].user.token, 't0k');
    const file = path.join(dataDir, 'kube', 'config');
    await writeKubeconfig(file, yaml);
    assert.equal(await fs.readFile(file, 'utf8'), yaml);
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
  });
});

describe('Authenticator', () => {
  const auth = new Authenticator([{ token: 'secret-admin', user: 'admin' }, { token: 'node-1-token', user: 'system:node:node-1' }]);
  it('maps a bearer token to its user', async () => {
    assert.equal(await auth.authenticate({ authorization: 'Bearer secret-admin' }), 'admin');
    assert.equal(await auth.authenticate({ authorization: 'bearer node-1-token' }), 'system:node:node-1');
  });
  it('rejects a missing, malformed or wrong token with 401', async () => {
    for (const authorization of [undefined, 'Basic abc', 'Bearer wrong', 'Bearer secret-admin-x']) {
      await assert.rejects(auth.authenticate({ authorization }), (e: { code?: number }) => e.code === 401);
    }
  });
});
