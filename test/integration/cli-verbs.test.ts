// The kubelab CLI's kubectl verbs against a real kubelabd on the real Docker Engine, each
// compared with what the real kubectl 1.32 prints where both have the verb: port-forward to a
// Service reaches a pod's HTTP server; events, explain and config print kubectl's text; the
// bash completion script loads and completes command words.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { cliEntry, eventually, execFileAsync, TestDaemon } from '../../harness/test-daemon.js';
import { RESOURCES } from '../../lib/api/resources.js';
import { Kubectl, requireKubectl, tableRows } from '../helpers/kubectl.js';

const deployment = path.resolve('examples/deployment/helloworld.yml');
const service = path.resolve('examples/port-forward/helloworld-web.yml');

function httpGet(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', timeout: 10_000 }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('kubelab port-forward, events, explain, config and completion against kubelabd', function () {
  this.timeout(180_000);
  let daemon: TestDaemon;
  let kubectl: Kubectl;
  let dir: string;
  const children: ChildProcess[] = [];

  before(async function () {
    const binary = requireKubectl(this);
    daemon = await TestDaemon.start();
    kubectl = await Kubectl.forDaemon(binary, daemon);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-cli-verbs-'));
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await kubectl?.killAll();
    await daemon?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('port-forward svc/NAME :80 answers HTTP from a pod, through the targetPort name', async () => {
    const created = await daemon.kubelab(['create', '-f', deployment, '-f', service]);
    assert.equal(created.code, 0, created.stderr);
    await eventually(async () => (await daemon.kubelab(['get', 'pods', '-l', 'app=helloworld', '-o', 'jsonpath={.items[*].status.phase}'])).stdout.includes('Running'), 90_000);
    const forward = spawn(process.execPath, [cliEntry, '--kubeconfig', daemon.kubeconfigPath, 'port-forward', 'svc/helloworld-web', ':80', '--address', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(forward);
    let out = '';
    forward.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    forward.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const line = await eventually(() => /^Forwarding from 127\.0\.0\.1:(\d+) -> 3000$/m.exec(out), 20_000);
    const port = Number(line![1]);
    const answer = await httpGet(port);
    assert.equal(answer.status, 200);
    assert.match(answer.body, /Hello World/);
    await eventually(() => out.includes(`Handling connection for ${port}\n`), 5_000);
    forward.kill('SIGTERM');
  });

  it('events prints the rows kubectl events prints, oldest first; --for and --types filter', async () => {
    await eventually(async () => (await daemon.kubelab(['events'])).stdout.includes('ScalingReplicaSet'), 30_000);
    const ours = await daemon.kubelab(['events']);
    const theirs = await kubectl.ok(['events']);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout.split('\n')[0]!.replace(/\s+/g, ' '), 'LAST SEEN TYPE REASON OBJECT MESSAGE');
    // LAST SEEN may tick between the two runs, and kubectl's sort keeps no order among ties.
    const rowsWithoutAge = (text: string) => tableRows(text).slice(1).map((r) => r.slice(1).join(' | ')).sort();
    assert.deepEqual(rowsWithoutAge(ours.stdout), rowsWithoutAge(theirs));

    const forDeployment = await daemon.kubelab(['events', '--for', 'deploy/helloworld-deployment']);
    const reasons = tableRows(forDeployment.stdout).slice(1).map((r) => `${r[2]} ${r[3]}`);
    assert.ok(reasons.length > 0 && reasons.every((r) => r === 'ScalingReplicaSet Deployment/helloworld-deployment'), forDeployment.stdout);

    const warnings = await daemon.kubelab(['events', '--types', 'Warning', '-n', 'kube-system']);
    const kubectlWarnings = await kubectl.run(['events', '--types', 'Warning', '-n', 'kube-system']);
    assert.equal(warnings.stderr, 'No events found in kube-system namespace.\n');
    assert.equal(warnings.stderr, kubectlWarnings.stderr);
    const bogus = await daemon.kubelab(['events', '--types', 'Bogus']);
    assert.equal(bogus.code, 1);
    assert.equal(bogus.stderr, 'error: valid --types are Normal or Warning\n');
  });

  it('explain prints exactly what kubectl explain prints, for every served kind and a field path', async () => {
    for (const r of RESOURCES) {
      for (const extra of [[], ['--recursive']]) {
        const args = ['explain', r.plural, '--api-version', r.group ? `${r.group}/${r.version}` : r.version, ...extra];
        const ours = await daemon.kubelab(args);
        assert.equal(ours.code, 0, ours.stderr);
        assert.equal(ours.stdout, await kubectl.ok(args), args.join(' '));
      }
    }
    const strategy = await daemon.kubelab(['explain', 'deployment.spec.strategy']);
    assert.equal(strategy.stdout, await kubectl.ok(['explain', 'deployment.spec.strategy']));
    assert.match(strategy.stdout, /^GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: strategy <DeploymentStrategy>\n/);
    const bogus = await daemon.kubelab(['explain', 'deployment.spec.bogus']);
    assert.equal(bogus.code, 1);
    assert.equal(bogus.stderr, 'error: field "bogus" does not exist\n');
  });

  it('config view, get-contexts, use-context and set-context read and write the kubeconfig as kubectl does', async () => {
    const file = path.join(dir, 'kubeconfig.yaml');
    const text = await fs.readFile(daemon.kubeconfigPath, 'utf8');
    await fs.writeFile(file, text);
    const ours = (args: string[]) => runWith(file, args);
    for (const args of [['config', 'view'], ['config', 'view', '--minify'], ['config', 'view', '--raw'], ['config', 'get-contexts'], ['config', 'current-context']]) {
      const mine = await ours(args);
      assert.equal(mine.code, 0, mine.stderr);
      assert.equal(mine.stdout, await kubectl.withKubeconfig(file).ok(args), args.join(' '));
    }
    assert.match((await ours(['config', 'view'])).stdout, /certificate-authority-data: DATA\+OMITTED\n/);
    assert.match((await ours(['config', 'view'])).stdout, /token: REDACTED\n/);
    const current = (await ours(['config', 'current-context'])).stdout.trim();
    assert.deepEqual(await ours(['config', 'set-context', '--current', '--namespace=kube-system']), { code: 0, stdout: `Context "${current}" modified.\n`, stderr: '' });
    assert.match((await ours(['config', 'get-contexts'])).stdout, new RegExp(`^\\*\\s+${current}\\s+\\S+\\s+\\S+\\s+kube-system$`, 'm'));
    // The namespace now comes from the kubeconfig: a request without -n goes to kube-system.
    assert.equal((await ours(['get', 'pods'])).stderr, 'No resources found in kube-system namespace.\n');
    assert.deepEqual(await ours(['config', 'use-context', 'nope']), { code: 1, stdout: '', stderr: 'error: no context exists with the name: "nope"\n' });
    assert.deepEqual(await ours(['config', 'use-context', current]), { code: 0, stdout: `Switched to context "${current}".\n`, stderr: '' });
  });

  it('completion bash loads in bash and completes `kubelab ge` to get and `kubelab get deploy` to deployments', async () => {
    const bin = path.join(dir, 'bin');
    await fs.mkdir(bin, { recursive: true });
    await fs.symlink(cliEntry, path.join(bin, 'kubelab'));
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const loaded = await execFileAsync('bash', ['-c', 'source <(kubelab completion bash) && complete -p kubelab'], { env });
    assert.equal(loaded.stdout, 'complete -o default -F _kubelab_completions kubelab\n');
    const complete = async (line: string) => {
      const script = `source <(kubelab completion bash); COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _kubelab_completions; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return (await execFileAsync('bash', ['-c', script], { env })).stdout;
    };
    assert.equal(await complete('kubelab ge'), 'get\n');
    assert.equal(await complete('kubelab get deploy'), 'deployments\n');
    assert.equal(await complete("kubelab completion ''"), 'bash\nzsh\n');
  });
});

/** Runs kubelab with only this kubeconfig (KUBECONFIG pointing at it, no --kubeconfig). */
function runWith(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliEntry, ...args], { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
