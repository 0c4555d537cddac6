import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadClientConfig, NO_CONFIGURATION_MESSAGE } from '../../lib/client/kubeconfig.js';

const kubeconfig = (name: string, server: string, extra: { namespace?: string; token?: string; caFile?: string; tokenFile?: string } = {}) => `
apiVersion: v1
kind: Config
current-context: ${name}
clusters:
- name: ${name}
  cluster:
    server: ${server}
${extra.caFile ? `    certificate-authority: ${extra.caFile}` : `    certificate-authority-data: ${Buffer.from(`CA of ${name}`).toString('base64')}`}
users:
- name: ${name}-admin
  user:
${extra.tokenFile ? `    tokenFile: ${extra.tokenFile}` : `    token: ${extra.token ?? `token-${name}`}`}
contexts:
- name: ${name}
  context: {cluster: ${name}, user: ${name}-admin${extra.namespace ? `, namespace: ${extra.namespace}` : ''}}
- name: other
  context: {cluster: ${name}, user: ${name}-admin, namespace: other-ns}
`;

describe('kubeconfig loading (kubectl precedence)', () => {
  let dir: string;
  let home: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-kubeconfig-'));
    home = path.join(dir, 'home');
    fs.mkdirSync(path.join(home, '.kube'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a.yaml'), kubeconfig('a', 'https://a:6443', { namespace: 'team-a' }));
    fs.writeFileSync(path.join(dir, 'b.yaml'), kubeconfig('b', 'https://b:6443/'));
    fs.writeFileSync(path.join(dir, 'ca.pem'), 'CA FROM FILE');
    fs.writeFileSync(path.join(dir, 'token'), 'file-token\n');
    fs.writeFileSync(path.join(dir, 'files.yaml'), kubeconfig('f', 'https://f:6443', { caFile: 'ca.pem', tokenFile: 'token' }));
    fs.writeFileSync(path.join(home, '.kube', 'config'), kubeconfig('home', 'https://home:6443'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--kubeconfig wins over KUBECONFIG and ~/.kube/config', () => {
    const c = loadClientConfig({ kubeconfig: path.join(dir, 'b.yaml') }, { KUBECONFIG: path.join(dir, 'a.yaml') }, home);
    assert.equal(c.server, 'https://b:6443');
    assert.equal(c.token, 'token-b');
    assert.equal(c.caPem, 'CA of b');
    assert.equal(c.namespace, 'default');
  });

  it('KUBECONFIG: missing files skipped, the first file to set a value wins', () => {
    const list = [path.join(dir, 'missing.yaml'), path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml')].join(path.delimiter);
    const c = loadClientConfig({}, { KUBECONFIG: list }, home);
    assert.equal(c.contextName, 'a');
    assert.equal(c.server, 'https://a:6443');
    assert.equal(c.namespace, 'team-a');
    assert.deepEqual(c.sources, [path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml')]);
    const other = loadClientConfig({ context: 'b' }, { KUBECONFIG: list }, home);
    assert.equal(other.server, 'https://b:6443');
  });

  it('falls back to ~/.kube/config', () => {
    assert.equal(loadClientConfig({}, {}, home).server, 'https://home:6443');
  });

  it('flags override the file: --server, --token, -n, --context, --insecure-skip-tls-verify', () => {
    const file = path.join(dir, 'a.yaml');
    const c = loadClientConfig({ kubeconfig: file, server: 'http://127.0.0.1:1', token: 't', namespace: 'n', insecureSkipTlsVerify: true }, {}, home);
    assert.deepEqual([c.server, c.token, c.namespace, c.insecureSkipTlsVerify], ['http://127.0.0.1:1', 't', 'n', true]);
    assert.equal(loadClientConfig({ kubeconfig: file, context: 'other' }, {}, home).namespace, 'other-ns');
    assert.throws(() => loadClientConfig({ kubeconfig: file, context: 'nope' }, {}, home), /context was not found for specified context: nope/);
  });

  it('reads certificate-authority and tokenFile relative to the kubeconfig', () => {
    const c = loadClientConfig({ kubeconfig: path.join(dir, 'files.yaml') }, {}, home);
    assert.equal(c.caPem, 'CA FROM FILE');
    assert.equal(c.token, 'file-token');
  });

  it('says what to do when nothing is configured, and works from flags alone', () => {
    const empty = path.join(dir, 'nohome');
    assert.throws(() => loadClientConfig({}, {}, empty), { message: NO_CONFIGURATION_MESSAGE });
    assert.throws(() => loadClientConfig({ kubeconfig: path.join(dir, 'nope.yaml') }, {}, empty), /nope\.yaml: no such file/);
    const c = loadClientConfig({ server: 'https://s:1' }, {}, empty);
    assert.equal(c.server, 'https://s:1');
    assert.equal(c.namespace, 'default');
  });
});
