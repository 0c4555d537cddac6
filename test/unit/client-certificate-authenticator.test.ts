import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Authenticator } from '../../daemon/api/auth.js';
import { CertificateRejected, ClientCertificateAuthenticator, subjectOf } from '../../daemon/api/client-certificate-authenticator.js';
import { createCaCertificate, createServingCertificate } from '../../daemon/pki/certificates.js';
import { issueUserCertificate } from '../../daemon/pki/user-kubeconfig.js';
import { ApiError } from '../../lib/errors.js';

const x509 = (pem: string) => new crypto.X509Certificate(pem);
const DAY_MS = 86_400_000;

describe('client certificate authentication (CN = user, O = groups)', () => {
  const ca = createCaCertificate('kubelab-ca', 1);
  const otherCa = createCaCertificate('kubelab-ca', 1); // same name, other key: only the signature tells them apart
  const alice = issueUserCertificate(ca, { name: 'alice', groups: ['dev', 'ops'], days: 10 });
  const authenticator = new ClientCertificateAuthenticator(ca.certPem);

  it('names the user by CN and the groups by O values, plus system:authenticated', () => {
    assert.deepEqual(authenticator.userForCertificate(x509(alice.certPem)), { name: 'alice', groups: ['dev', 'ops', 'system:authenticated'] });
  });

  it('reads names a PrintableString could not hold (UTF8String subjects)', () => {
    const user = issueUserCertificate(ca, { name: 'jane_doe@example.com', groups: ['team_a', 'system:masters'], days: 1 });
    assert.deepEqual(subjectOf(x509(user.certPem)), { commonName: 'jane_doe@example.com', organizations: ['team_a', 'system:masters'] });
  });

  it('a user without groups is only in system:authenticated', () => {
    const bob = issueUserCertificate(ca, { name: 'bob', groups: [], days: 1 });
    assert.deepEqual(authenticator.userForCertificate(x509(bob.certPem)), { name: 'bob', groups: ['system:authenticated'] });
  });

  const rejections: { name: string; certPem: () => string; now?: Date; reason: RegExp }[] = [
    { name: 'a certificate of another CA', certPem: () => issueUserCertificate(otherCa, { name: 'mallory', groups: ['system:masters'], days: 1 }).certPem, reason: /not signed by the cluster CA/ },
    { name: 'a self-signed certificate', certPem: () => createServingCertificate({ commonName: 'mallory', sans: { dns: [], ips: [] }, years: 1, usage: 'client' }).certPem, reason: /not signed by the cluster CA/ },
    { name: 'an expired certificate', certPem: () => alice.certPem, now: new Date(Date.now() + 11 * DAY_MS), reason: /expired/ },
    { name: 'a certificate not valid yet', certPem: () => alice.certPem, now: new Date(Date.now() - DAY_MS), reason: /not valid before/ },
    { name: 'a serving certificate (no clientAuth usage)', certPem: () => createServingCertificate({ commonName: 'kube-apiserver', sans: { dns: ['localhost'], ips: [] }, years: 1, issuer: ca }).certPem, reason: /client authentication/ },
    { name: 'the CA itself', certPem: () => ca.certPem, reason: /CA certificate/ },
  ];
  for (const row of rejections) {
    it(`refuses ${row.name}`, () => {
      const judge = new ClientCertificateAuthenticator(ca.certPem, () => row.now ?? new Date());
      assert.throws(() => judge.userForCertificate(x509(row.certPem())), (err: Error) => err instanceof CertificateRejected && row.reason.test(err.message));
    });
  }

  describe('in the Authenticator chain', () => {
    const chain = new Authenticator([{ token: 'admin-token', user: 'admin' }], [], authenticator);
    const foreign = issueUserCertificate(otherCa, { name: 'mallory', groups: [], days: 1 });
    const is401 = (err: unknown) => err instanceof ApiError && err.code === 401;

    it('a valid certificate authenticates without any token', async () => {
      assert.equal((await chain.authenticateUser({}, x509(alice.certPem))).name, 'alice');
    });
    it('an invalid certificate with no token is a 401', async () => {
      await assert.rejects(() => chain.authenticateUser({}, x509(foreign.certPem)), is401);
    });
    it('an invalid certificate does not stop a valid bearer token', async () => {
      assert.equal((await chain.authenticateUser({ authorization: 'Bearer admin-token' }, x509(foreign.certPem))).name, 'admin');
    });
    it('without a certificate authenticator, certificates name nobody', async () => {
      await assert.rejects(() => new Authenticator([]).authenticateUser({}, x509(alice.certPem)), is401);
    });
  });
});
