// The prober against real sockets on 127.0.0.1 (the probe target's address is a parameter, so the
// test plays the pod), and exec probes against a scripted runtime.
//
// covers: Pod spec.containers.readinessProbe.httpGet.host, spec.containers.readinessProbe.httpGet.httpHeaders.name, spec.containers.readinessProbe.httpGet.httpHeaders.value, spec.containers.readinessProbe.timeoutSeconds, spec.containers.readinessProbe.tcpSocket.host, spec.containers.ports.name

import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import type { Container } from '../../lib/api/types.js';
import type { ExecOptions, ExecSession } from '../../daemon/runtime/container-runtime.js';
import { Prober, probeEventMessage, resolvePort, type ProbeTarget } from '../../daemon/kubelet/prober.js';

const container: Container = { name: 'app', image: 'kubelab/hello:v1', ports: [{ name: 'http', containerPort: 0 }] };

describe('Prober (real sockets on 127.0.0.1)', function () {
  this.timeout(10_000);
  let server: http.Server;
  let port: number;
  let closedPort: number;
  const seen: http.IncomingHttpHeaders[] = [];
  const target = (): ProbeTarget => ({ podIP: '127.0.0.1', containerId: 'c1', container: { ...container, ports: [{ name: 'http', containerPort: port }] } });
  const prober = new Prober({ exec: async () => assert.fail('no exec expected') });

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers);
      if (req.url === '/healthz') return res.end('ok');
      if (req.url === '/broken') return res.writeHead(500).end('boom');
      if (req.url === '/moved') return res.writeHead(302, { Location: 'http://192.0.2.1/elsewhere' }).end();
      if (req.url === '/slow') return setTimeout(() => res.end('late'), 3_000).unref();
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
    // A port nobody listens on: bind one, note it, close it.
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('httpGet: 200 passes, with the probe headers and the Host override', async () => {
    seen.length = 0;
    const outcome = await prober.probe('readiness', { httpGet: { path: '/healthz', port, httpHeaders: [{ name: 'Host', value: 'hello.example' }, { name: 'X-Probe', value: 'yes' }] } }, target());
    assert.deepEqual(outcome, { attempt: 'success' });
    assert.equal(seen[0].host, 'hello.example');
    assert.equal(seen[0]['x-probe'], 'yes');
    assert.match(seen[0]['user-agent'] ?? '', /^kube-probe\//);
  });

  it('httpGet: a named port of the container', async () => {
    assert.deepEqual(await prober.probe('readiness', { httpGet: { path: '/healthz', port: 'http' } }, target()), { attempt: 'success' });
  });

  it('httpGet: 500 fails with the status code', async () => {
    const outcome = await prober.probe('liveness', { httpGet: { path: '/broken', port } }, target());
    assert.deepEqual(outcome, { attempt: 'failure', message: 'HTTP probe failed with statuscode: 500' });
    assert.equal(probeEventMessage('liveness', outcome), 'Liveness probe failed: HTTP probe failed with statuscode: 500');
  });

  it('httpGet: a redirect is not followed and counts as a pass', async () => {
    assert.deepEqual(await prober.probe('liveness', { httpGet: { path: '/moved', port } }, target()), { attempt: 'success' });
  });

  it('httpGet: a closed port fails with connection refused', async () => {
    const outcome = await prober.probe('readiness', { httpGet: { path: '/', port: closedPort } }, target());
    assert.deepEqual(outcome, { attempt: 'failure', message: `Get "http://127.0.0.1:${closedPort}/": dial tcp 127.0.0.1:${closedPort}: connect: connection refused` });
  });

  it('httpGet: a server slower than timeoutSeconds fails', async () => {
    const started = Date.now();
    const outcome = await prober.probe('readiness', { httpGet: { path: '/slow', port }, timeoutSeconds: 1 }, target());
    assert.deepEqual(outcome, { attempt: 'failure', message: `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    const tookMs = Date.now() - started;
    assert.ok(tookMs >= 950 && tookMs < 2_500, `took ${tookMs} ms`);
  });

  it('tcpSocket: an open port passes, a closed one fails as Go words it', async () => {
    assert.deepEqual(await prober.probe('liveness', { tcpSocket: { port } }, target()), { attempt: 'success' });
    const outcome = await prober.probe('readiness', { tcpSocket: { port: closedPort } }, target());
    assert.equal(probeEventMessage('readiness', outcome), `Readiness probe failed: dial tcp 127.0.0.1:${closedPort}: connect: connection refused`);
  });

  it('an unknown named port is an error (not counted), with a message that says what to do', async () => {
    const outcome = await prober.probe('readiness', { tcpSocket: { port: 'metrics' } }, target());
    assert.equal(outcome.attempt, 'error');
    assert.match(probeEventMessage('readiness', outcome), /^Readiness probe errored: couldn't find port "metrics" in container "app"/);
    assert.equal(resolvePort('8080', container), 8080);
  });
});

describe('Prober exec', () => {
  /** A runtime whose exec prints `output` and exits with `exitCode` after `delayMs`. */
  const execRuntime = (exitCode: number, output = '', delayMs = 0) => {
    const calls: { id: string; options: ExecOptions }[] = [];
    return {
      calls,
      async exec(id: string, options: ExecOptions): Promise<ExecSession> {
        calls.push({ id, options });
        const stdout = new PassThrough();
        const stderr = new PassThrough();
        const exited = new Promise<number>((resolve) =>
          setTimeout(() => {
            stderr.end(output);
            stdout.end();
            resolve(exitCode);
          }, delayMs).unref(),
        );
        return { stdout, stderr, resize: async () => {}, exitCode: exited };
      },
    };
  };
  const target: ProbeTarget = { podIP: '127.0.0.1', containerId: 'c1', container };

  it('exit code 0 passes; the command runs in the container without stdin or a TTY', async () => {
    const runtime = execRuntime(0, 'fine');
    assert.deepEqual(await new Prober(runtime).probe('liveness', { exec: { command: ['cat', '/tmp/healthy'] } }, target), { attempt: 'success' });
    assert.deepEqual(runtime.calls, [{ id: 'c1', options: { command: ['cat', '/tmp/healthy'], stdin: false, stdout: true, stderr: true, tty: false } }]);
  });

  it('a non-zero exit fails with what the command printed, as Kubernetes reports it', async () => {
    const outcome = await new Prober(execRuntime(1, "cat: can't open '/tmp/healthy': No such file or directory\n")).probe('liveness', { exec: { command: ['cat', '/tmp/healthy'] } }, target);
    assert.equal(probeEventMessage('liveness', outcome), "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory");
  });

  it('a silent non-zero exit fails with the command and its exit code', async () => {
    const outcome = await new Prober(execRuntime(1)).probe('liveness', { exec: { command: ['test', '-f', '/tmp/healthy'] } }, target);
    assert.equal(probeEventMessage('liveness', outcome), 'Liveness probe failed: command "test -f /tmp/healthy" exited with 1');
  });

  it('a command slower than timeoutSeconds fails', async () => {
    const outcome = await new Prober(execRuntime(0, '', 5_000)).probe('readiness', { exec: { command: ['sleep', '5'] }, timeoutSeconds: 1 }, target);
    assert.deepEqual(outcome, { attempt: 'failure', message: 'command "sleep 5" timed out' });
  });

  it('a runtime that cannot exec is an error, not a failure', async () => {
    const outcome = await new Prober({ exec: async () => Promise.reject(new Error('container c1 is not running')) }).probe('liveness', { exec: { command: ['true'] } }, target);
    assert.deepEqual(outcome, { attempt: 'error', message: 'container c1 is not running' });
  });
});
