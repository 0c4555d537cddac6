// An httpGet probe with `scheme: HTTPS` speaks TLS to the container and, like the kubelet, does
// not verify its certificate (pods serve self-signed ones); with the default scheme HTTP the same
// TLS port fails.
//
// covers: Pod spec.containers.readinessProbe.httpGet.scheme

import assert from 'node:assert/strict';
import https from 'node:https';
import type net from 'node:net';
import type { Container } from '../../lib/api/types.js';
import { createCaCertificate, createServingCertificate } from '../../daemon/pki/certificates.js';
import { Prober, type ProbeTarget } from '../../daemon/kubelet/prober.js';

describe('Prober: httpGet over HTTPS', function () {
  this.timeout(20_000);
  let server: https.Server;
  let port: number;
  const prober = new Prober({ exec: async () => assert.fail('no exec expected') });
  const container: Container = { name: 'app', image: 'i:1' };
  const target = (): ProbeTarget => ({ podIP: '127.0.0.1', containerId: 'c1', container });

  before(async () => {
    // A certificate no one trusts: a CA of its own, as a pod's self-signed one would be.
    const ca = createCaCertificate('pod-ca', 1);
    const cert = createServingCertificate({ commonName: 'pod', sans: { dns: ['pod'], ips: [] }, years: 1, issuer: ca, usage: 'server' });
    server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  it('HTTPS: passes without verifying the certificate', async () => {
    assert.deepEqual(await prober.probe('readiness', { httpGet: { path: '/healthz', port, scheme: 'HTTPS' } }, target()), { attempt: 'success' });
  });

  it('HTTPS: a 404 fails', async () => {
    const outcome = await prober.probe('readiness', { httpGet: { path: '/missing', port, scheme: 'HTTPS' } }, target());
    assert.equal(outcome.attempt, 'failure');
  });

  it('HTTP (the default) against the TLS port fails', async () => {
    const outcome = await prober.probe('readiness', { httpGet: { path: '/healthz', port } }, target());
    assert.equal(outcome.attempt, 'failure');
  });
});
