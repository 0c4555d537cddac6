// `kubelab trace pod` end to end: a real kubelabd on the real Docker Engine runs the README's
// example (a pod with an init container and a readiness probe behind a Service). What a user
// sees: `-w` started before the pod exists prints the steps as they happen and ends once the pod
// is Ready; `trace pod` then lists every step of its life in order with offsets that never go
// back; after `delete`, the same command shows the termination steps from the events alone.
//
// covers: Pod spec.initContainers.command, spec.containers.readinessProbe.httpGet.port, spec.terminationGracePeriodSeconds

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { cliEntry, eventually, TestDaemon } from '../../harness/test-daemon.js';

const example = path.resolve('examples/trace/traced-web.yml');

/** The offset (ms) and text of each timeline row of `kubelab trace pod` output. */
function rowsOf(output: string): { offsetMs: number; text: string }[] {
  return output
    .split('\n')
    .map((line) => /^\s*~?([+-]\d+\.\d{3}) s {2}(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ offsetMs: Math.round(Number(m[1]) * 1000), text: m[2] }));
}

/** The index of the first row matching each pattern, asserting each is there and they come in this order. */
function assertInOrder(rows: { text: string }[], patterns: RegExp[]): void {
  let previous = -1;
  for (const pattern of patterns) {
    const index = rows.findIndex((r) => pattern.test(r.text));
    assert.ok(index >= 0, `no row matches ${pattern}:\n${rows.map((r) => r.text).join('\n')}`);
    assert.ok(index > previous, `${pattern} comes before the step listed ahead of it:\n${rows.map((r) => r.text).join('\n')}`);
    previous = index;
  }
}

function assertNonDecreasing(rows: { offsetMs: number; text: string }[]): void {
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i].offsetMs >= rows[i - 1].offsetMs, `offsets go back at row ${i}: ${rows[i - 1].text} / ${rows[i].text}`);
}

describe('kubelab trace pod on the real Docker Engine', function () {
  this.timeout(180_000);
  let daemon: TestDaemon;
  let follower: ReturnType<typeof spawn> | undefined;

  before(async () => {
    daemon = await TestDaemon.start();
  });
  after(async () => {
    follower?.kill('SIGKILL');
    await daemon?.cleanup();
  });

  it('-w follows the pod from creation, printing rows as they happen, and ends once it is Ready', async () => {
    // Started before the pod exists: it waits for it.
    follower = spawn(process.execPath, [cliEntry, '--kubeconfig', daemon.kubeconfigPath, 'trace', 'pod', 'traced-web', '-w'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: { atMs: number; text: string }[] = [];
    let stderr = '';
    follower.stdout!.on('data', (chunk: Buffer) => chunks.push({ atMs: Date.now(), text: chunk.toString() }));
    follower.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => follower!.once('exit', (code) => resolve(code)));
    await eventually(() => stderr.includes('waiting for pod default/traced-web'), 20_000);

    const created = await daemon.kubelab(['create', '-f', example]);
    assert.equal(created.code, 0, created.stderr);

    const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 90_000))]);
    assert.equal(code, 0, `trace -w did not end after Ready (exit ${code}):\n${chunks.map((c) => c.text).join('')}\n${stderr}`);
    const output = chunks.map((c) => c.text).join('');
    assert.match(output, /^pod default\/traced-web \(uid [0-9a-f-]+\)/m);
    assert.match(output, /pod is Ready\n$/);
    const rows = rowsOf(output);
    assertInOrder(rows, [/api\s+accepted by the API/, /scheduler\s+scheduled to /, /init container prepare started/, /container web started/, /kubelet on \S+\s+Ready$/]);
    assertNonDecreasing(rows);
    // As they happen: the first row was printed well before the Ready row (the init container alone takes 1 s).
    const when = (pattern: RegExp) => chunks.find((c) => pattern.test(c.text))!.atMs;
    assert.ok(when(/Ready$/m) - when(/accepted by the API/) >= 500, 'the rows came all at once, not as they happened');
  });

  it('lists every step in order with offsets from creation that never go back', async () => {
    // The endpoints and proxy rows follow Ready within milliseconds.
    const output = await eventually(async () => {
      const r = await daemon.kubelab(['trace', 'pod', 'traced-web']);
      assert.equal(r.code, 0, r.stderr);
      return /programmed in the proxy/.test(r.stdout) ? r.stdout : undefined;
    }, 20_000);
    const rows = rowsOf(output);
    assert.equal(rows[0].offsetMs, 0);
    assert.match(rows[0].text, /^api\s+accepted by the API \(creationTimestamp /);
    assertInOrder(rows, [
      /scheduler\s+scheduled to \S+/,
      /kubelet on \S+\s+pod seen by the kubelet/,
      /sandbox created, pod IP \d+\.\d+\.\d+\.\d+/,
      /image kubelab\/busybox:1 already present/,
      /init container prepare created/,
      /init container prepare started/,
      /init container prepare exited with code 0/,
      /image kubelab\/hello:v1 already present/,
      /container web created/,
      /container web started/,
      /kubelet on \S+\s+Ready$/,
      /endpoints\s+added to the endpoints of Service default\/traced-web \(\d+\.\d+\.\d+\.\d+\)/,
      /proxy on \S+\s+programmed in the proxy: Service default\/traced-web -> \d+\.\d+\.\d+\.\d+/,
    ]);
    assertNonDecreasing(rows);
    assert.doesNotMatch(output, /not recorded/);
    assert.doesNotMatch(output, /~[+-]/, 'every row has a precise time');
  });

  it('after delete, the events alone still give the whole life and the termination steps', async () => {
    const deleted = await daemon.kubelab(['delete', 'pod', 'traced-web'], { timeoutMs: 60_000 });
    assert.equal(deleted.code, 0, deleted.stderr);
    await eventually(async () => (await daemon.kubelab(['get', 'pod', 'traced-web'])).code !== 0, 30_000);
    const output = await eventually(async () => {
      const r = await daemon.kubelab(['trace', 'pod', 'traced-web']);
      assert.equal(r.code, 0, r.stderr);
      return /sandbox, containers and volumes removed/.test(r.stdout) ? r.stdout : undefined;
    }, 20_000);
    assert.match(output, /^pod default\/traced-web \(uid [0-9a-f-]+\) on \S+: deleted/);
    const rows = rowsOf(output);
    assertInOrder(rows, [
      /api\s+accepted by the API/,
      /container web started/,
      /Ready$/,
      /kill signal \(SIGTERM, then SIGKILL after the grace period\) to container web/,
      /container web exited with code \d+/,
      /sandbox, containers and volumes removed/,
    ]);
    // The endpoints controller and the kubelet both act on the deletion, in either order.
    assertInOrder(rows, [/Ready$/, /endpoints\s+removed from the endpoints of Service default\/traced-web \(\d+\.\d+\.\d+\.\d+\): being deleted/]);
    assertNonDecreasing(rows);
  });

  it('refuses kinds other than pods and names what it traces', async () => {
    const r = await daemon.kubelab(['trace', 'deployment', 'web']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /only pods have a traced life/);
  });
});
