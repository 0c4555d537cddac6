import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeconfigError, loadClientConfig } from '../../lib/client/kubeconfig.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A kubeconfig whose one user has the given fields (YAML lines under `user:`). */
const kubeconfigWithUser = (userLines: string[]) => `
apiVersion: v1
kind: Config
current-context: c
clusters:
- name: k
  cluster: {server: 'https://k:6443'}
users:
- name: u
  user:
${userLines.map((line) => `    ${line}`).join('\n')}
contexts:
- name: c
  context: {cluster: k, user: u}
`;

describe('kubeconfig user credentials: client certificates and tokenFile', () => {
  let dir: string;
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  const load = (userLines: string[], at = 'config') => loadClientConfig({ kubeconfig: write(at, kubeconfigWithUser(userLines)) }, {}, dir);

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-kubeconfig-creds-'));
    write('certs/alice.crt', 'CERT FROM FILE');
    write('certs/alice.key', 'KEY FROM FILE');
    write('certs/token', 'token-from-file\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: { name: string; user: string[]; at?: string; expect: { clientCertPem?: string; clientKeyPem?: string; token?: string } }[] = [
    { name: 'inline client-certificate-data and client-key-data', user: [`client-certificate-data: ${b64('CERT DATA')}`, `client-key-data: ${b64('KEY DATA')}`], expect: { clientCertPem: 'CERT DATA', clientKeyPem: 'KEY DATA' } },
    { name: 'files relative to the kubeconfig folder', user: ['client-certificate: certs/alice.crt', 'client-key: certs/alice.key'], expect: { clientCertPem: 'CERT FROM FILE', clientKeyPem: 'KEY FROM FILE' } },
    { name: 'relative files from a kubeconfig in a subfolder', at: 'certs/config', user: ['client-certificate: alice.crt', 'client-key: ./alice.key'], expect: { clientCertPem: 'CERT FROM FILE', clientKeyPem: 'KEY FROM FILE' } },
    { name: 'inline data wins over a file, as in kubectl', user: [`client-certificate-data: ${b64('CERT DATA')}`, 'client-certificate: certs/alice.crt', 'client-key: certs/alice.key'], expect: { clientCertPem: 'CERT DATA', clientKeyPem: 'KEY FROM FILE' } },
    { name: 'tokenFile, relative, trimmed', user: ['tokenFile: certs/token'], expect: { token: 'token-from-file' } },
    { name: 'a token and a certificate together', user: ['token: t', `client-certificate-data: ${b64('C')}`, `client-key-data: ${b64('K')}`], expect: { token: 't', clientCertPem: 'C', clientKeyPem: 'K' } },
  ];
  for (const row of cases) {
    it(row.name, () => {
      const config = load(row.user, row.at);
      assert.deepEqual({ clientCertPem: config.clientCertPem, clientKeyPem: config.clientKeyPem, token: config.token }, { clientCertPem: undefined, clientKeyPem: undefined, token: undefined, ...row.expect });
    });
  }

  it('an absolute path stays as it is', () => {
    const config = load([`client-certificate: ${path.join(dir, 'certs/alice.crt')}`, `client-key: ${path.join(dir, 'certs/alice.key')}`], 'elsewhere/config');
    assert.equal(config.clientCertPem, 'CERT FROM FILE');
  });

  it('a certificate without a key says which is missing', () => {
    assert.throws(() => load([`client-certificate-data: ${b64('C')}`]), (err: Error) => err instanceof KubeconfigError && /user "u" in .* has a client-certificate but no client-key/.test(err.message));
  });

  it('a missing certificate file names the field and the file', () => {
    assert.throws(() => load(['client-certificate: nope.crt', 'client-key: certs/alice.key']), (err: Error) => err instanceof KubeconfigError && err.message.startsWith(`cannot read client-certificate ${path.join(dir, 'nope.crt')}:`));
  });
});
