// `kubelab create user` against the real HTTPS API server (no Docker): the kubeconfig it writes
// authenticates as the user and groups it names, through the REST client's client certificate.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runCreateUser } from '../../cli/commands/create-user.js';
import { createCaCertificate } from '../../daemon/pki/certificates.js';
import { buildUserKubeconfig, issueUserCertificate } from '../../daemon/pki/user-kubeconfig.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { ApiError } from '../../lib/errors.js';
import { ApiTestServer } from '../helpers/api-test-server.js';

const whoami = async (kubeconfig: string) => {
  const client = new RestClient(loadClientConfig({ kubeconfig }, {}));
  try {
    return await client.request<{ status: { userInfo: { username: string; groups: string[] } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1' } });
  } finally {
    client.close();
  }
};

describe('kubelab create user and SelfSubjectReview', function () {
  this.timeout(120_000); // four RSA key pairs on a shared CI machine
  let api: ApiTestServer;
  let file: string;
  let printed = '';

  before(async () => {
    api = await ApiTestServer.start();
    file = path.join(api.dir, 'out', 'alice.kubeconfig');
    fs.mkdirSync(path.dirname(file));
    await runCreateUser({ name: 'alice', group: ['dev', 'ops'], days: 2, output: file, dataDir: api.dir, kubeconfig: api.kubeconfigPath }, (text) => (printed += text));
  });
  after(async () => api?.close());

  it('writes a 0600 kubeconfig with the current cluster, the credentials inline and context alice@CLUSTER', () => {
    assert.equal(printed, `user "alice" in groups dev, ops created: kubeconfig written to ${file} (context alice@kubelab)\n`);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const doc = parseYaml(fs.readFileSync(file, 'utf8'));
    const admin = parseYaml(fs.readFileSync(api.kubeconfigPath, 'utf8'));
    assert.deepEqual(doc.clusters, admin.clusters);
    assert.equal(doc['current-context'], 'alice@kubelab');
    assert.deepEqual(Object.keys(doc.users[0].user).sort(), ['client-certificate-data', 'client-key-data']);
    assert.deepEqual(doc.contexts[0], { name: 'alice@kubelab', context: { cluster: 'kubelab', user: 'alice', namespace: 'default' } });
  });

  it('the API server takes its holder for alice in groups dev and ops', async () => {
    const review = await whoami(file);
    assert.deepEqual(review.status.userInfo, { username: 'alice', groups: ['dev', 'ops', 'system:authenticated'] });
  });

  it('the admin token still works beside certificates', async () => {
    assert.equal((await whoami(api.kubeconfigPath)).status.userInfo.username, 'admin');
  });

  it('a certificate of another CA is a 401', async () => {
    const foreign = path.join(api.dir, 'out', 'mallory.kubeconfig');
    const admin = parseYaml(fs.readFileSync(api.kubeconfigPath, 'utf8'));
    const credentials = issueUserCertificate(createCaCertificate('kubelab-ca', 1), { name: 'mallory', groups: ['system:masters'], days: 1 });
    fs.writeFileSync(foreign, buildUserKubeconfig({ name: 'kubelab', entry: admin.clusters[0].cluster }, 'mallory', credentials));
    await assert.rejects(whoami(foreign), (err: unknown) => err instanceof ApiError && err.code === 401 && err.message === 'Unauthorized');
  });

  it('SelfSubjectReview is create-only, and discovery lists it', async () => {
    const res = await api.request('GET', '/apis/authentication.k8s.io/v1/selfsubjectreviews');
    assert.equal(res.status, 405);
    const discovery = await api.request('GET', '/apis/authentication.k8s.io/v1');
    assert.equal(discovery.status, 200);
    const resources = discovery.json.resources as { name: string; kind: string; verbs: string[] }[];
    assert.deepEqual(resources.map((r) => [r.name, r.kind, r.verbs]), [['selfsubjectreviews', 'SelfSubjectReview', ['create']]]);
  });

  it('refuses --days 0 and a data dir without the CA, saying what to do', async () => {
    await assert.rejects(runCreateUser({ name: 'bob', days: 0, output: '-', dataDir: api.dir, kubeconfig: api.kubeconfigPath }, () => undefined), /--days must be a whole number of days, at least 1 \(got 0\)/);
    await assert.rejects(runCreateUser({ name: 'bob', output: '-', dataDir: path.join(api.dir, 'nope'), kubeconfig: api.kubeconfigPath }, () => undefined), /cannot read the cluster CA .*nope\/pki\/ca\.crt: .*create users on the server host, with --data-dir set to kubelabd's data dir/);
  });
});
