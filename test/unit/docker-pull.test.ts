// The pull watchdog: an engine whose registry never answers must not hold the kubelet for
// minutes. A stand-in engine on loopback accepts the pull and then goes quiet.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ImagePullError } from '../../daemon/runtime/container-runtime.js';
import { DockerRuntime } from '../../daemon/runtime/docker-runtime.js';

describe('DockerRuntime.pullImage watchdog', () => {
  let server: http.Server;
  let port = 0;
  const open = new Set<http.ServerResponse>();

  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url?.startsWith('/images/create')) {
        // One progress line, then silence (a registry that stopped answering mid-pull).
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(`${JSON.stringify({ status: 'Pulling from kubelab/slow' })}\n`);
        open.add(res);
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'No such image' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    for (const res of open) res.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('abandons a pull that shows no progress, with an ImagePullError naming the image', async () => {
    const runtime = new DockerRuntime({ dockerHost: `tcp://127.0.0.1:${port}`, pullIdleTimeoutMs: 300 });
    const started = Date.now();
    await assert.rejects(runtime.pullImage('kubelab/slow:v1'), (err: unknown) => { // not-built: served by this test's fake engine
      assert.ok(err instanceof ImagePullError, String(err));
      assert.equal(err.image, 'kubelab/slow:v1'); // not-built: served by this test's fake engine
      assert.match(err.message, /kubelab\/slow:v1.*no progress for 300 ms/);
      return true;
    });
    assert.ok(Date.now() - started < 3000, `gave up after ${Date.now() - started} ms`);
  });
});
