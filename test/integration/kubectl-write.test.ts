// The real kubectl changing a real kubelab cluster: create/apply (server-side field validation
// through the tiny OpenAPI, strategic merge patches with per-path merge keys), delete with
// graceful waiting, create secret (a protobuf body), label/annotate, edit, scale (also the
// --current-replicas PUT without Content-Type), expose, set image, rollout, and the errors as
// kubectl users know them. One daemon for the whole file.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kubectl, requireKubectl, waitForReadyPods } from '../helpers/kubectl.js';
import { deploymentYaml, documents, echoReplicaSetYaml, replicationControllerYaml, serviceYaml } from '../helpers/kubectl-manifests.js';
import { eventually, TestDaemon } from '../../harness/test-daemon.js';

describe('kubectl writes against kubelabd', function () {
  this.timeout(150_000);
  let daemon: TestDaemon | undefined;
  let kubectl: Kubectl;
  let dir: string;
  const file = async (name: string, content: string): Promise<string> => {
    const target = path.join(dir, name);
    await fs.writeFile(target, content);
    return target;
  };
  const jsonpath = (args: string[], expression: string) => kubectl.ok(['get', ...args, '-o', `jsonpath=${expression}`]);

  before(async function () {
    const binary = requireKubectl(this);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-kubectl-write-'));
    daemon = await TestDaemon.start();
    kubectl = await Kubectl.forDaemon(binary, daemon);
  });
  after(async () => {
    await kubectl?.killAll();
    await daemon?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  describe('create, apply and delete', () => {
    it('create -f (default strict validation) creates every document; AlreadyExists the second time', async () => {
      const manifest = await file('create.yaml', documents(replicationControllerYaml('made'), serviceYaml('made')));
      const result = await kubectl.run(['create', '-f', manifest]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'replicationcontroller/made created\nservice/made created\n');
      const again = await kubectl.run(['create', '-f', manifest]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, new RegExp(`Error from server \\(AlreadyExists\\): error when creating "${manifest}": replicationcontrollers "made" already exists`));
    });

    it('apply -f from stdin, then again after editing: env changed, a container removed, a service port changed', async () => {
      const first = documents(deploymentYaml('app'), serviceYaml('app'));
      assert.equal(await kubectl.ok(['apply', '-f', '-'], { input: first }), 'deployment.apps/app created\nservice/app created\n');
      assert.equal(await kubectl.ok(['apply', '-f', '-'], { input: first }), 'deployment.apps/app unchanged\nservice/app unchanged\n');
      const edited = await file('app.yaml', documents(deploymentYaml('app', { envA: '2', withSide: false }), serviceYaml('app', [80, 8443])));
      assert.equal(await kubectl.ok(['apply', '-f', edited]), 'deployment.apps/app configured\nservice/app configured\n');
      assert.equal(await jsonpath(['deploy', 'app'], '{.spec.template.spec.containers[*].name}'), 'hello');
      assert.equal(await jsonpath(['deploy', 'app'], '{.spec.template.spec.containers[0].env}'), '[{"name":"A","value":"2"}]');
      // Merged by `containerPort` in a container but by `port` in a Service: 443 went, 8443 came, 80 stayed intact.
      assert.equal(await jsonpath(['svc', 'app'], '{range .spec.ports[*]}{.name}:{.port}>{.targetPort} {end}'), 'p80:80>3000 p8443:8443>3000 ');
      assert.equal(await jsonpath(['deploy', 'app'], '{.spec.template.spec.containers[0].ports[0].containerPort}'), '3000');
    });

    it('server-side field validation: Strict rejects, Warn warns, --dry-run=server writes nothing', async () => {
      const manifest = await file('unknown-field.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: odd}\nspec:\n  foo: 1\n  containers: [{name: c, image: kubelab/pause:1}]\n');
      const strict = await kubectl.run(['create', '-f', manifest]);
      assert.equal(strict.code, 1);
      assert.match(strict.stderr, /Error from server \(BadRequest\): error when creating ".*unknown-field\.yaml": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec\.foo"/);
      const dryRun = await kubectl.run(['create', '-f', manifest, '--validate=false', '--dry-run=server']);
      assert.equal(dryRun.stdout, 'pod/odd created (server dry run)\n', dryRun.stderr);
      assert.match((await kubectl.run(['get', 'pod', 'odd'])).stderr, /NotFound/);
      const warn = await kubectl.run(['create', '-f', manifest, '--validate=warn']);
      assert.equal(warn.code, 0, warn.stderr);
      assert.match(warn.stderr, /^Warning: unknown field "spec\.foo"$/m);
      assert.equal(warn.stdout, 'pod/odd created\n');
    });

    it('delete by name (waits for the graceful stop), by -f and by -l', async () => {
      await kubectl.ok(['apply', '-f', '-'], { input: replicationControllerYaml('gone') });
      const [pod] = await waitForReadyPods(kubectl, 'app=gone', 1);
      await kubectl.ok(['delete', 'rc', 'gone', '--cascade=orphan']);
      assert.equal(await kubectl.ok(['delete', 'pod', pod]), `pod "${pod}" deleted\n`);
      assert.match((await kubectl.run(['get', 'pod', pod])).stderr, new RegExp(`pods "${pod}" not found`));
      assert.equal(await kubectl.ok(['delete', '-f', await file('odd.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: odd}\n')]), 'pod "odd" deleted\n');
      await kubectl.ok(['label', 'svc', 'made', 'doomed=yes']);
      assert.equal(await kubectl.ok(['delete', 'svc', '-l', 'doomed=yes']), 'service "made" deleted\n');
    });
  });

  describe('foreground deletion', () => {
    it('delete deployment --cascade=foreground: the Deployment stays, marked, until its ReplicaSet and pods are gone', async () => {
      await kubectl.ok(['apply', '-f', '-'], { input: deploymentYaml('fg', { replicas: 2 }) });
      await waitForReadyPods(kubectl, 'app=fg', 2);
      const deleting = kubectl.spawn(['delete', 'deployment', 'fg', '--cascade=foreground']);
      try {
        // While its pods stop, the Deployment is still there with the foregroundDeletion finalizer.
        await eventually(async () => (await kubectl.run(['get', 'deployment', 'fg', '-o', 'jsonpath={.metadata.finalizers}'])).stdout.includes('foregroundDeletion'), 20_000);
        assert.match(await deleting.waitFor(/deployment.apps "fg" deleted/), /deleted/);
        await eventually(async () => (await kubectl.run(['get', 'deployment', 'fg'])).code !== 0, 60_000);
        // The owner goes last: by then no ReplicaSet and no pod of it is left.
        assert.equal((await kubectl.ok(['get', 'rs,pods', '-l', 'app=fg', '-o', 'name'])).trim(), '');
      } finally {
        await deleting.kill();
      }
    });
  });

  describe('secrets, labels, annotations, edit', () => {
    it('create secret generic --from-literal --from-file (sent as protobuf)', async () => {
      const data = await file('token.txt', 'file-data');
      assert.equal(await kubectl.ok(['create', 'secret', 'generic', 'creds', '--from-literal=user=admin', `--from-file=${data}`]), 'secret/creds created\n');
      const secret = JSON.parse(await kubectl.ok(['get', 'secret', 'creds', '-o', 'json']));
      assert.equal(secret.type, 'Opaque');
      assert.deepEqual(secret.data, { 'token.txt': Buffer.from('file-data').toString('base64'), user: Buffer.from('admin').toString('base64') });
    });

    it('label and annotate: add, refuse to overwrite, overwrite, remove', async () => {
      assert.equal(await kubectl.ok(['label', 'rc', 'made', 'tier=fe']), 'replicationcontroller/made labeled\n');
      const refused = await kubectl.run(['label', 'rc', 'made', 'tier=be']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /'tier' already has a value \(fe\), and --overwrite is false/);
      await kubectl.ok(['label', 'rc', 'made', 'tier=be', '--overwrite']);
      assert.equal(await jsonpath(['rc', 'made'], '{.metadata.labels.tier}'), 'be');
      assert.equal(await kubectl.ok(['label', 'rc', 'made', 'tier-']), 'replicationcontroller/made unlabeled\n');
      assert.equal(await jsonpath(['rc', 'made'], '{.metadata.labels}'), '{"app":"made"}');
      assert.equal(await kubectl.ok(['annotate', 'rc', 'made', 'note=one']), 'replicationcontroller/made annotated\n');
      await kubectl.ok(['annotate', 'rc', 'made', 'note=two', '--overwrite']);
      assert.equal(await jsonpath(['rc', 'made'], '{.metadata.annotations.note}'), 'two');
      await kubectl.ok(['annotate', 'rc', 'made', 'note-']);
      assert.equal(await jsonpath(['rc', 'made'], '{.metadata.annotations.note}'), '');
    });

    it('edit with KUBE_EDITOR', async () => {
      const editor = await file('editor.sh', '#!/bin/sh\nsed -i "s/replicas: 1$/replicas: 2/" "$1"\n');
      await fs.chmod(editor, 0o755);
      assert.equal(await kubectl.ok(['edit', 'rc', 'made'], { env: { KUBE_EDITOR: editor } }), 'replicationcontroller/made edited\n');
      assert.equal(await jsonpath(['rc', 'made'], '{.spec.replicas}'), '2');
    });
  });

  describe('scale, expose, set image, rollout', () => {
    before(async () => {
      await kubectl.ok(['apply', '-f', '-'], { input: documents(deploymentYaml('roll', { withSide: false }), echoReplicaSetYaml('echo')) });
    });

    it('scale rc, rs, deployment and -f; --current-replicas checks first', async () => {
      assert.equal(await kubectl.ok(['scale', 'rc', 'made', '--replicas=1']), 'replicationcontroller/made scaled\n');
      assert.equal(await kubectl.ok(['scale', 'rs', 'echo', '--replicas=2']), 'replicaset.apps/echo scaled\n');
      assert.equal(await kubectl.ok(['scale', 'deploy', 'roll', '--replicas=3']), 'deployment.apps/roll scaled\n');
      const stale = await kubectl.run(['scale', 'deploy', 'roll', '--current-replicas=2', '--replicas=1']);
      assert.equal(stale.code, 1);
      assert.match(stale.stderr, /Expected replicas to be 2, was 3/);
      assert.equal(await kubectl.ok(['scale', 'deploy', 'roll', '--current-replicas=3', '--replicas=2']), 'deployment.apps/roll scaled\n');
      const scalable = await file('scalable.yaml', echoReplicaSetYaml('echo', 2));
      assert.equal(await kubectl.ok(['scale', '-f', scalable, '--replicas=1']), 'replicaset.apps/echo scaled\n');
      assert.deepEqual([await jsonpath(['rc', 'made'], '{.spec.replicas}'), await jsonpath(['rs', 'echo'], '{.spec.replicas}'), await jsonpath(['deploy', 'roll'], '{.spec.replicas}')], ['1', '1', '2']);
      await eventually(async () => (await jsonpath(['rs', 'echo'], '{.status.replicas}')) === '1', 30_000);
    });

    it('expose pod, rc, rs and deployment create Services with their selectors and ports', async () => {
      const [pod] = await waitForReadyPods(kubectl, 'app=echo', 1);
      assert.equal(await kubectl.ok(['expose', 'pod', pod, '--port=99', '--target-port=5000', '--name=by-pod']), 'service/by-pod exposed\n');
      assert.equal(await kubectl.ok(['expose', 'rc', 'made', '--port=80', '--target-port=3000']), 'service/made exposed\n');
      assert.equal(await kubectl.ok(['expose', 'rs', 'echo']), 'service/echo exposed\n');
      assert.equal(await kubectl.ok(['expose', 'deploy', 'roll', '--port=80', '--target-port=3000']), 'service/roll exposed\n');
      assert.equal(await jsonpath(['svc', 'echo'], '{.spec.selector.app} {.spec.ports[0].port}'), 'echo 5000');
      assert.equal(await jsonpath(['svc', 'roll'], '{.spec.selector.app} {.spec.ports[0].port}>{.spec.ports[0].targetPort}'), 'roll 80>3000');
      assert.equal(await jsonpath(['svc', 'by-pod'], '{.spec.selector.app} {.spec.ports[0].port}'), 'echo 99');
    });

    it('set image, rollout status, history (--revision), undo (--to-revision), pause, resume', async () => {
      await kubectl.ok(['rollout', 'status', 'deploy/roll', '--timeout=60s']);
      assert.equal(await kubectl.ok(['set', 'image', 'deploy/roll', 'hello=kubelab/hello:v2']), 'deployment.apps/roll image updated\n');
      assert.match(await kubectl.ok(['rollout', 'status', 'deploy/roll', '--timeout=90s'], { timeoutMs: 100_000 }), /deployment "roll" successfully rolled out/);
      assert.match(await kubectl.ok(['rollout', 'history', 'deploy/roll']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
      assert.match(await kubectl.ok(['rollout', 'history', 'deploy/roll', '--revision=1']), /Image:\s+kubelab\/hello:v1/);
      assert.equal(await kubectl.ok(['rollout', 'undo', 'deploy/roll', '--to-revision=1']), 'deployment.apps/roll rolled back\n');
      await kubectl.ok(['rollout', 'status', 'deploy/roll', '--timeout=90s'], { timeoutMs: 100_000 });
      assert.match(await kubectl.ok(['rollout', 'history', 'deploy/roll']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
      assert.equal(await jsonpath(['deploy', 'roll'], '{.spec.template.spec.containers[0].image}'), 'kubelab/hello:v1');
      assert.equal(await kubectl.ok(['rollout', 'pause', 'deploy/roll']), 'deployment.apps/roll paused\n');
      const paused = await kubectl.run(['rollout', 'undo', 'deploy/roll']);
      assert.equal(paused.code, 1);
      assert.match(paused.stderr, /you cannot rollback a paused deployment/);
      assert.equal(await kubectl.ok(['rollout', 'resume', 'deploy/roll']), 'deployment.apps/roll resumed\n');
      assert.equal(await jsonpath(['deploy', 'roll'], '{.spec.paused}'), '');
    });
  });

  describe('errors as kubectl users know them', () => {
    it('NotFound, Invalid (one line per field), Forbidden', async () => {
      const missing = await kubectl.run(['get', 'pod', 'nope']);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, 'Error from server (NotFound): pods "nope" not found\n');
      const invalid = await kubectl.run(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: invalid-pod}\nspec:\n  containers: [{name: Bad_Name, image: kubelab/pause:1}, {name: ok}]\n' });
      assert.equal(invalid.code, 1);
      assert.match(invalid.stderr, /^The Pod "invalid-pod" is invalid: \n\* spec\.containers\[0\]\.name: Invalid value: "Bad_Name": .*\n\* spec\.containers\[1\]\.image: Required value\n$/);
      const forbidden = await kubectl.run(['delete', 'namespace', 'default']);
      assert.equal(forbidden.code, 1);
      assert.match(forbidden.stderr, /^Error from server \(Forbidden\): namespaces "default" is forbidden: /);
    });

    it('Conflict: replace with a stale resourceVersion', async () => {
      const stale = await file('stale.json', await kubectl.ok(['get', 'rc', 'made', '-o', 'json']));
      await kubectl.ok(['label', 'rc', 'made', 'bump=1']);
      const conflict = await kubectl.run(['replace', '-f', stale]);
      assert.equal(conflict.code, 1);
      assert.match(conflict.stderr, /Error from server \(Conflict\): error when replacing ".*stale\.json": Operation cannot be fulfilled on replicationcontrollers "made": the object has been modified; please apply your changes to the latest version and try again/);
    });

    it('Unauthorized: a kubeconfig with a wrong token', async () => {
      const kubeconfig = (await fs.readFile(daemon!.kubeconfigPath, 'utf8')).replace(/token: .*/, 'token: not-the-token');
      const wrong = kubectl.withKubeconfig(await file('wrong-token.yaml', kubeconfig));
      const result = await wrong.run(['get', 'pods']);
      assert.equal(result.code, 1);
      // With discovery cached kubectl names the reason of the 401 Status; without, client-go's generic text.
      assert.match(result.stderr, /error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)/);
    });
  });
});
