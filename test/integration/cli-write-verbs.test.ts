// kubelab's own `run`, `create deployment|job|cronjob|service|configmap`, `patch`, `replace` and
// `edit` against a real kubelabd, side by side with the real kubectl 1.32 where kubectl has the
// same verb: the generators' --dry-run=client objects must equal kubectl's, and the lines a user
// reads (created, patched, replaced, edited, the refusals) must be kubectl's lines.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eventually, TestDaemon } from '../../harness/test-daemon.js';
import { Kubectl, requireKubectl } from '../helpers/kubectl.js';

describe('kubelab CLI write verbs against kubelabd, compared with kubectl', function () {
  this.timeout(180_000);
  let daemon: TestDaemon | undefined;
  let kubectl: Kubectl;
  let dir: string;

  before(async function () {
    const binary = requireKubectl(this);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-cli-write-'));
    daemon = await TestDaemon.start();
    kubectl = await Kubectl.forDaemon(binary, daemon);
  });
  after(async () => {
    await kubectl?.killAll();
    await daemon?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  /** Runs kubelab and fails with its output unless it exits 0; returns stdout. */
  async function kubelabOk(args: string[], env?: Record<string, string>): Promise<string> {
    const result = await daemon!.kubelab(args, { env });
    assert.equal(result.code, 0, `kubelab ${args.join(' ')}: ${result.stderr}${result.stdout}`);
    return result.stdout;
  }

  /** `args` with `--dry-run=client -o json` put before any `--`. */
  function dryRunJson(args: string[]): string[] {
    const dashes = args.indexOf('--');
    const [verb, rest] = dashes < 0 ? [args, []] : [args.slice(0, dashes), args.slice(dashes)];
    return [...verb, '--dry-run=client', '-o', 'json', ...rest];
  }

  it('every generator builds the object kubectl builds (--dry-run=client -o json)', async () => {
    await fs.mkdir(path.join(dir, 'conf'));
    await fs.writeFile(path.join(dir, 'conf', 'app.properties'), 'color=blue\n');
    await fs.writeFile(path.join(dir, 'conf', 'motd'), 'hello\n');
    await fs.writeFile(path.join(dir, 'app.env'), '# settings\nMODE=fast\nLEVEL=3\n');
    const cases = [
      ['create', 'deployment', 'web', '--image=kubelab/hello:v1', '--replicas=2', '--port=8080'],
      ['create', 'deployment', 'sleeper', '--image=kubelab/busybox:1', '-n', 'kube-system', '--', 'sleep', '3600'],
      ['create', 'job', 'once', '--image=kubelab/busybox:1', '--', 'echo', 'once'],
      ['create', 'cronjob', 'tick', '--image=kubelab/busybox:1', '--schedule=*/5 * * * *', '--restart=Never', '--', 'echo', 'tick'],
      ['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '--tcp=443'],
      ['create', 'service', 'clusterip', 'headless', '--clusterip=None'],
      ['create', 'service', 'nodeport', 'web-np', '--tcp=80:http', '--node-port=30080'],
      ['create', 'service', 'loadbalancer', 'web-lb', '--tcp=80:8080'],
      ['create', 'service', 'externalname', 'search', '--external-name=search.example.com'],
      ['create', 'configmap', 'settings', '--from-literal=a=1', `--from-file=${path.join(dir, 'conf')}`, `--from-file=renamed=${path.join(dir, 'conf', 'motd')}`],
      ['create', 'configmap', 'env', `--from-env-file=${path.join(dir, 'app.env')}`],
      ['run', 'web', '--image=kubelab/hello:v1', '--port=8080', '--env=A=1', '--env=B=two'],
      ['run', 'tagged', '--image=kubelab/busybox:1', '--labels=app=web,tier=front', '--restart=Never', '--', 'sh', '-c', 'echo hi'],
      ['run', 'cmd', '--image=kubelab/busybox:1', '--restart=OnFailure', '--command', '--', 'sleep', '5'],
    ];
    for (const args of cases) {
      const expected = JSON.parse(await kubectl.ok(dryRunJson(args)));
      const actual = JSON.parse(await kubelabOk(dryRunJson(args)));
      assert.deepEqual(actual, expected, `kubelab ${args.join(' ')}`);
    }
  });

  it('the generators create: the lines kubectl prints, and the objects stored', async () => {
    assert.equal(await kubelabOk(['create', 'deployment', 'web', '--image=kubelab/hello:v1', '--port=8080']), 'deployment.apps/web created\n');
    assert.equal(await kubelabOk(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']), 'service/web created\n');
    assert.equal(await kubelabOk(['create', 'configmap', 'settings', '--from-literal=color=blue']), 'configmap/settings created\n');
    assert.equal(await kubelabOk(['create', 'cronjob', 'tick', '--image=kubelab/busybox:1', '--schedule=@hourly', '--', 'echo', 'tick']), 'cronjob.batch/tick created\n');
    assert.equal(await kubelabOk(['create', 'job', 'now', '--from=cronjob/tick']), 'job.batch/now created\n');
    const service = JSON.parse(await kubectl.ok(['get', 'service', 'web', '-o', 'json']));
    assert.deepEqual(service.spec.selector, { app: 'web' });
    assert.deepEqual(service.spec.ports.map((p: { name: string; port: number; targetPort: number }) => [p.name, p.port, p.targetPort]), [['80-8080', 80, 8080]]);
    // The Deployment's pods come up behind the Service (the generators pair up by app=NAME).
    await eventually(async () => JSON.parse(await kubectl.ok(['get', 'endpoints', 'web', '-o', 'json'])).subsets?.[0]?.addresses?.length === 1, 90_000);

    assert.equal(await kubelabOk(['create', 'deployment', 'ghost', '--image=kubelab/hello:v1', '--dry-run=server']), 'deployment.apps/ghost created (server dry run)\n');
    assert.equal(await kubelabOk(['create', 'deployment', 'ghost', '--image=kubelab/hello:v1', '--dry-run=client']), 'deployment.apps/ghost created (dry run)\n');
    const absent = await kubectl.run(['get', 'deployment', 'ghost']);
    assert.equal(absent.stderr.trim(), 'Error from server (NotFound): deployments.apps "ghost" not found');

    const refused = await daemon!.kubelab(['create', 'service', 'clusterip', 'noports']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, 'error: at least one tcp port specifier must be provided\n');
    const badDryRun = await daemon!.kubelab(['create', 'configmap', 'x', '--dry-run=maybe']);
    assert.equal(badDryRun.stderr, (await kubectl.run(['create', 'configmap', 'x', '--dry-run=maybe'])).stderr);
  });

  it('run starts a pod that runs its args; the output is kubectl\'s', async () => {
    assert.equal(await kubelabOk(['run', 'hello', '--image=kubelab/busybox:1', '--restart=Never', '--', 'sh', '-c', 'echo hi from run']), 'pod/hello created\n');
    const pod = JSON.parse(await kubectl.ok(['get', 'pod', 'hello', '-o', 'json']));
    assert.deepEqual(pod.metadata.labels, { run: 'hello' });
    await eventually(async () => JSON.parse(await kubectl.ok(['get', 'pod', 'hello', '-o', 'json'])).status?.phase === 'Succeeded', 90_000);
    assert.equal(await kubectl.ok(['logs', 'hello']), 'hi from run\n');
    const again = await daemon!.kubelab(['run', 'hello', '--image=kubelab/busybox:1']);
    assert.equal(again.stderr, (await kubectl.run(['run', 'hello', '--image=kubelab/busybox:1'])).stderr);
  });

  it('run -i --rm attaches our stdin to the pod, prints its output, deletes it, as kubectl run does', async () => {
    const session = (name: string) => ['run', name, '-i', '--rm', '--restart=Never', '--image=kubelab/busybox:1', '--', 'sh', '-c', 'read line; echo "got $line"'];
    const ours = await daemon!.kubelab(session('attach-kubelab'), { input: 'hello\n' });
    const theirs = await kubectl.run(session('attach-kubectl'), { input: 'hello\n' });
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout, theirs.stdout.replace('attach-kubectl', 'attach-kubelab'));
    assert.equal(ours.stdout, 'got hello\npod "attach-kubelab" deleted\n');
    assert.equal(ours.stderr, theirs.stderr);
    const gone = await kubectl.run(['get', 'pod', 'attach-kubelab']);
    assert.equal(gone.stderr.trim(), 'Error from server (NotFound): pods "attach-kubelab" not found');

    const refused = await daemon!.kubelab(['run', 'x', '--rm', '--image=kubelab/busybox:1']);
    // kubectl adds a usage hint line (`See 'kubectl run -h' ...`); the error itself is the same.
    assert.equal(refused.stderr, (await kubectl.run(['run', 'x', '--rm', '--image=kubelab/busybox:1'])).stderr.split('\n')[0] + '\n');
  });

  it('patch: strategic, merge and json patches, (no change), the scale subresource, server dry run', async () => {
    await kubelabOk(['create', 'deployment', 'api', '--image=kubelab/hello:v1', '--image=kubelab/busybox:1', '--replicas=0']);
    // A strategic merge patch merges containers by name: busybox keeps its image.
    const strategic = '{"spec":{"template":{"spec":{"containers":[{"name":"hello","image":"kubelab/hello:v2"}]}}}}';
    assert.equal(await kubelabOk(['patch', 'deployment', 'api', '-p', strategic]), 'deployment.apps/api patched\n');
    const images = async () => JSON.parse(await kubectl.ok(['get', 'deploy', 'api', '-o', 'json'])).spec.template.spec.containers.map((c: { image: string }) => c.image);
    assert.deepEqual(await images(), ['kubelab/hello:v2', 'kubelab/busybox:1']);
    // The same patch again changes nothing: kubectl's verdict, line for line.
    assert.equal(await kubelabOk(['patch', 'deployment', 'api', '-p', strategic]), (await kubectl.ok(['patch', 'deployment', 'api', '-p', strategic])));
    assert.equal(await kubelabOk(['patch', 'deploy/api', '--type=merge', '-p', 'metadata: {labels: {tier: back}}']), 'deployment.apps/api patched\n');
    assert.equal(await kubelabOk(['patch', 'deployment', 'api', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":1}]']), 'deployment.apps/api patched\n');
    assert.equal(await kubelabOk(['patch', 'deployment', 'api', '--subresource=scale', '--type=merge', '-p', '{"spec":{"replicas":2}}']), 'deployment.apps/api patched\n');
    assert.equal(JSON.parse(await kubectl.ok(['get', 'deploy', 'api', '-o', 'json'])).spec.replicas, 2);
    assert.equal(await kubelabOk(['patch', 'deployment', 'api', '--type=merge', '-p', '{"spec":{"replicas":5}}', '--dry-run=server']), 'deployment.apps/api patched (server dry run)\n');
    assert.equal(JSON.parse(await kubectl.ok(['get', 'deploy', 'api', '-o', 'json'])).spec.replicas, 2);
    const printed = JSON.parse(await kubelabOk(['patch', 'deployment', 'api', '--type=merge', '-p', '{"metadata":{"annotations":{"owner":"me"}}}', '-o', 'json']));
    assert.equal(printed.metadata.annotations.owner, 'me');

    for (const args of [
      ['patch', 'deployment', 'api', '--type=bogus', '-p', '{}'],
      ['patch', 'deployment', 'nope', '-p', '{"spec":{}}'],
      ['patch', 'deployment', 'api'],
    ]) {
      const ours = await daemon!.kubelab(args);
      const theirs = await kubectl.run(args);
      assert.equal(ours.code, 1, args.join(' '));
      assert.equal(ours.stderr, theirs.stderr, args.join(' '));
    }
  });

  it('replace: PUT over the live object, 404 when absent, --force deletes and creates', async () => {
    const file = path.join(dir, 'colors.yaml');
    await fs.writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: colors\ndata:\n  sky: blue\n');
    const absent = await daemon!.kubelab(['replace', '-f', file]);
    assert.equal(absent.code, 1);
    assert.equal(absent.stderr, (await kubectl.run(['replace', '-f', file])).stderr);
    assert.equal(absent.stderr, `Error from server (NotFound): error when replacing "${file}": configmaps "colors" not found\n`);

    await kubelabOk(['create', 'configmap', 'colors', '--from-literal=grass=green']);
    assert.equal(await kubelabOk(['replace', '-f', file]), 'configmap/colors replaced\n');
    assert.deepEqual(JSON.parse(await kubectl.ok(['get', 'cm', 'colors', '-o', 'json'])).data, { sky: 'blue' });
    const uid = JSON.parse(await kubectl.ok(['get', 'cm', 'colors', '-o', 'json'])).metadata.uid;

    // A stale resourceVersion in the file is a conflict, not an overwrite.
    await fs.writeFile(file, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: colors\n  resourceVersion: "1"\ndata:\n  sky: grey\n`);
    const stale = await daemon!.kubelab(['replace', '-f', file]);
    assert.equal(stale.stderr, (await kubectl.run(['replace', '-f', file])).stderr);

    assert.equal(await kubelabOk(['replace', '--force', '-f', file]), 'configmap "colors" deleted\nconfigmap/colors replaced\n');
    const replaced = JSON.parse(await kubectl.ok(['get', 'cm', 'colors', '-o', 'json']));
    assert.deepEqual(replaced.data, { sky: 'grey' });
    assert.notEqual(replaced.metadata.uid, uid);
  });

  it('edit: saves the change, cancels an unchanged file, reopens on an invalid one as kubectl does', async () => {
    await kubelabOk(['create', 'deployment', 'ed', '--image=kubelab/hello:v1', '--replicas=0']);
    const editor = async (name: string, script: string) => {
      const file = path.join(dir, name);
      await fs.writeFile(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
      return file;
    };
    const relabel = await editor('relabel.sh', `sed -i 's/^    app: ed$/    app: ed\\n    tier: edited/' "$1"`);
    assert.equal(await kubelabOk(['edit', 'deployment', 'ed'], { EDITOR: relabel }), 'deployment.apps/ed edited\n');
    assert.equal(JSON.parse(await kubectl.ok(['get', 'deploy', 'ed', '-o', 'json'])).metadata.labels.tier, 'edited');

    const unchanged = await daemon!.kubelab(['edit', 'deployment', 'ed'], { env: { KUBE_EDITOR: 'true', EDITOR: relabel } });
    assert.equal(unchanged.code, 0);
    assert.equal(unchanged.stderr, 'Edit cancelled, no changes made.\n');

    // An invalid change: the file reopens with the server's reasons in its header; saved again
    // without a change, the edit is cancelled and the file kept. Same editor for both tools.
    const seen = (tool: string) => path.join(dir, `seen-${tool}`);
    const invalid = (tool: string) => editor(`invalid-${tool}.sh`, `cat "$1" >> ${seen(tool)}; echo ---- >> ${seen(tool)}; sed -i 's/^  replicas: 0$/  replicas: -1/' "$1"`);
    const ours = await daemon!.kubelab(['edit', 'deployment', 'ed'], { env: { EDITOR: await invalid('kubelab') } });
    const theirs = await kubectl.run(['edit', 'deployment', 'ed'], { env: { EDITOR: await invalid('kubectl') } });
    assert.equal(ours.code, 1);
    const keptFile = (stderr: string) => /A copy of your changes has been stored to "([^"]+)"/.exec(stderr)?.[1];
    const normalize = (stderr: string) => stderr.replace(keptFile(stderr) ?? '\0', 'FILE').replace(/\n$/, '');
    assert.equal(normalize(ours.stderr), normalize(theirs.stderr));
    assert.equal((await fs.readFile(keptFile(ours.stderr)!, 'utf8')).includes('replicas: -1'), true);
    const reopened = async (tool: string) => (await fs.readFile(seen(tool), 'utf8')).split('----\n')[1]!.split('\n').filter((l) => l.startsWith('#')).join('\n');
    assert.equal(await reopened('kubelab'), await reopened('kubectl'));
    assert.match(await reopened('kubelab'), /# deployments.apps "ed" was not valid:\n# \* spec.replicas: /);
    await fs.rm(path.dirname(keptFile(ours.stderr)!), { recursive: true, force: true });
    await fs.rm(keptFile(theirs.stderr)!, { force: true });
  });
});
