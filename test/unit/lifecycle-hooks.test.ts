// Lifecycle hook handlers and the kubelet's messages for FailedPostStartHook / FailedPreStopHook.

import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import type { Pod } from '../../lib/api/types.js';
import { runLifecycleHandler } from '../../daemon/kubelet/lifecycle-hooks.js';
import type { ContainerRuntime, ExecSession } from '../../daemon/runtime/container-runtime.js';

const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'u-1' }, spec: { containers: [{ name: 'app', image: 'i', ports: [{ name: 'http', containerPort: 1 }] }] } };
const target = (podIP = '127.0.0.1') => ({ pod, container: pod.spec.containers[0], containerId: 'c1', podIP });

/** An exec that prints `output` and exits with `code`. */
function execThat(output: string, code: number): Pick<ContainerRuntime, 'exec'> {
  return {
    exec: async (): Promise<ExecSession> => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      setImmediate(() => {
        stdout.end(output);
        stderr.end();
      });
      return { stdout, stderr, resize: async () => undefined, exitCode: new Promise((resolve) => setTimeout(() => resolve(code), 5)) };
    },
  };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('lifecycle hooks', () => {
  it('exec: exit 0 passes; anything else is the kubelet\'s message with the output', async () => {
    assert.equal(await runLifecycleHandler(execThat('', 0), { exec: { command: ['true'] } }, target(), 1000), undefined);
    assert.equal(
      await runLifecycleHandler(execThat('no disk\n', 2), { exec: { command: ['sh', '-c', 'prep'] } }, target(), 1000),
      'Exec lifecycle hook ([sh -c prep]) for Container "app" in Pod "web_default(u-1)" failed - error: command \'sh -c prep\' exited with 2: no disk\n, message: "no disk\\n"',
    );
  });

  it('httpGet: any answer passes (even a 500); no answer fails with Go\'s dial error', async () => {
    const server = http.createServer((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      assert.equal(await runLifecycleHandler(execThat('', 0), { httpGet: { path: '/hook', port } }, target(), 1000), undefined);
    } finally {
      server.close();
    }
    const closed = await closedPort();
    assert.equal(
      await runLifecycleHandler(execThat('', 0), { httpGet: { path: '/hook', port: closed } }, target(), 1000),
      `HTTP lifecycle hook (/hook) for Container "app" in Pod "web_default(u-1)" failed - error: Get "http://127.0.0.1:${closed}/hook": dial tcp 127.0.0.1:${closed}: connect: connection refused`,
    );
  });

  it('sleep waits, bounded by the time left; tcpSocket fails as the API documents', async () => {
    const started = Date.now();
    assert.equal(await runLifecycleHandler(execThat('', 0), { sleep: { seconds: 5 } }, target(), 50), undefined);
    assert.ok(Date.now() - started < 1000);
    assert.match((await runLifecycleHandler(execThat('', 0), { tcpSocket: { port: 80 } }, target(), 50))!, /tcpSocket is not supported as a lifecycle hook/);
  });
});
