// The tutorial's "scaling pods" and "deployments" chapters, end to end, as a user does them: a
// real kubelabd on the real Docker Engine, driven by the kubelab CLI, checked by what a user sees
// (pods answering over HTTP on their IPs, the CLI's words, pods that come back or go away).
//
// A few checks need to see every intermediate state (the ready count during a rolling update,
// "never v1 and v2 at once" for Recreate): those follow the pods through the API's watch, in
// process, which sees every change rather than a sample of them.
//
// covers: ReplicationController spec.replicas, spec.selector, spec.template.metadata, spec.template.spec
// covers: ReplicaSet spec.replicas, spec.selector.matchLabels, spec.selector.matchExpressions.key, spec.selector.matchExpressions.operator, spec.selector.matchExpressions.values, spec.template
// covers: Deployment spec.replicas, spec.selector.matchLabels, spec.template, spec.strategy.type, spec.strategy.rollingUpdate.maxUnavailable, spec.strategy.rollingUpdate.maxSurge, spec.paused
// covers: Pod spec.containers.args

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { Deployment, Pod, ReplicaSet } from '../../lib/api/types.js';
import type { Watch } from '../../lib/client/api-client.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { eventually, TestDaemon, type CliResult } from '../../harness/test-daemon.js';

const examples = path.resolve(import.meta.dirname, '../../examples');
const example = (file: string) => path.join(examples, file);

const isReady = (p: Pod) =>
  !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && Boolean(p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
const imageOf = (p: Pod) => p.spec.containers[0]?.image;

describe('workloads on the real engine: replication controllers, replica sets, deployments', function () {
  this.timeout(240_000);
  let daemon: TestDaemon;
  let client: RestClient;
  let scratch: string;

  before(async () => {
    daemon = await TestDaemon.start();
    client = newClient();
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-workloads-'));
  });
  after(async () => {
    client?.close();
    await daemon?.cleanup();
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
  });

  function newClient(): RestClient {
    return new RestClient(loadClientConfig({ kubeconfig: daemon.kubeconfigPath }));
  }

  /** Runs the CLI and insists on exit 0. */
  async function kubelab(args: string[], timeoutMs = 60_000): Promise<CliResult> {
    const r = await daemon.kubelab(args, { timeoutMs });
    assert.equal(r.code, 0, `kubelab ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
    return r;
  }

  async function pods(labelSelector: string): Promise<Pod[]> {
    return (await client.list<Pod>('pods', { namespace: 'default', labelSelector })).items;
  }

  /** Exactly `count` pods match (terminating ones included), all ready and passing `check`. */
  function waitForPods(labelSelector: string, count: number, check: (p: Pod) => boolean = () => true, timeoutMs = 90_000): Promise<Pod[]> {
    return eventually(async () => {
      const found = await pods(labelSelector);
      return found.length === count && found.every((p) => isReady(p) && check(p)) ? found : undefined;
    }, timeoutMs);
  }

  async function answers(pod: Pod): Promise<string> {
    const res = await fetch(`http://${pod.status!.podIP}:3000/`, { signal: AbortSignal.timeout(5000) });
    return (await res.text()).trim();
  }

  async function writeManifest(name: string, text: string): Promise<string> {
    const file = path.join(scratch, name);
    await fs.writeFile(file, text);
    return file;
  }

  /** Follows the pods of a selector through a watch; `onChange` sees the whole set after each event. */
  async function followPods(labelSelector: string, onChange: (pods: Pod[]) => void): Promise<Watch> {
    const list = await client.list<Pod>('pods', { namespace: 'default', labelSelector });
    const current = new Map(list.items.map((p) => [p.metadata.uid!, p]));
    onChange([...current.values()]);
    return client.watch<Pod>('pods', { namespace: 'default', labelSelector, resourceVersion: list.metadata.resourceVersion }, (event) => {
      if (event.type === 'ADDED' || event.type === 'MODIFIED') current.set(event.object.metadata.uid!, event.object);
      else if (event.type === 'DELETED') current.delete(event.object.metadata.uid!);
      else return;
      onChange([...current.values()]);
    });
  }

  /** A copy of a tutorial manifest under another name and label, for tests that must not share pods. */
  async function variantOf(file: string, name: string, app: string, edit: (text: string) => string = (t) => t): Promise<string> {
    const text = (await fs.readFile(example(file), 'utf8'))
      .replace(/name: helloworld-deployment/, `name: ${name}`)
      .replace(/app: helloworld\b/g, `app: ${app}`);
    return writeManifest(`${name}-${path.basename(file)}`, edit(text));
  }

  describe('replication controller (scaling pods)', () => {
    const selector = 'app=helloworld';
    const rcFile = example('replication-controller/helloworld-repl-controller.yml');

    it('keeps 2 pods running: a pod deleted by hand is replaced by a new one', async () => {
      const created = await kubelab(['create', '-f', rcFile]);
      assert.match(created.stdout, /replicationcontroller\/helloworld-controller created/);
      const first = await waitForPods(selector, 2);
      for (const pod of first) assert.equal(await answers(pod), 'Hello World!');

      const victim = first[0].metadata.name!;
      await kubelab(['delete', 'pod', victim, '--grace-period', '0']);
      const after = await waitForPods(selector, 2);
      const names = after.map((p) => p.metadata.name);
      assert.ok(!names.includes(victim), `the deleted pod ${victim} is gone, replaced by a new one`);
      assert.ok(names.includes(first[1].metadata.name), 'the other pod was left alone');

      const describe = await kubelab(['describe', 'rc', 'helloworld-controller']);
      assert.match(describe.stdout, /^Replicas:\s+2 current \/ 2 desired$/m);
      assert.match(describe.stdout, /^Pods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
      assert.match(describe.stdout, /^Selector:\s+app=helloworld$/m);
      assert.match(describe.stdout, /SuccessfulCreate\s.*Created pod: /);
    });

    it('scales 2 → 5 → 1 from the CLI, with -f, and by applying an edited file', async () => {
      const scaled = await kubelab(['scale', 'rc/helloworld-controller', '--replicas=5']);
      assert.equal(scaled.stdout, 'replicationcontroller/helloworld-controller scaled\n');
      await waitForPods(selector, 5);

      const wrongGuess = await daemon.kubelab(['scale', '-f', rcFile, '--current-replicas=4', '--replicas=3']);
      assert.equal(wrongGuess.code, 1);
      assert.match(wrongGuess.stderr, /^error: Expected replicas to be 4, was 5$/m);
      await kubelab(['scale', '-f', rcFile, '--current-replicas=5', '--replicas=3']);
      await waitForPods(selector, 3);

      const edited = await writeManifest('rc-1-replica.yml', (await fs.readFile(rcFile, 'utf8')).replace('replicas: 2', 'replicas: 1'));
      const applied = await kubelab(['apply', '-f', edited]);
      assert.match(applied.stdout, /replicationcontroller\/helloworld-controller configured/);
      const [last] = await waitForPods(selector, 1);
      assert.equal(await answers(last), 'Hello World!');
    });

    it('rollout is for deployments only; set image changes the template, delete rc removes its pods', async () => {
      const status = await daemon.kubelab(['rollout', 'status', 'rc/helloworld-controller']);
      assert.equal(status.code, 1);
      assert.equal(status.stderr, 'error: no status viewer has been implemented for ReplicationController\n');
      const set = await kubelab(['set', 'image', 'rc/helloworld-controller', 'k8s-demo=kubelab/hello:v2']);
      assert.equal(set.stdout, 'replicationcontroller/helloworld-controller image updated\n');
      const describe = await kubelab(['describe', 'rc', 'helloworld-controller']);
      assert.match(describe.stdout, /^    Image:\s+kubelab\/hello:v2$/m);

      await kubelab(['delete', '-f', rcFile, '--grace-period', '0']);
      await eventually(async () => (await pods(selector)).length === 0, 30_000);
    });
  });

  describe('replica set with a set-based selector', () => {
    it('adopts a matching orphan pod and creates only the missing one', async () => {
      const orphan = await writeManifest(
        'orphan.yml',
        ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: orphan-hello', '  labels: {app: hello-rs}', 'spec:', '  containers:', '  - {name: k8s-demo, image: kubelab/hello:v1}'].join('\n'),
      );
      await kubelab(['create', '-f', orphan]);
      await waitForPods('app=hello-rs', 1);

      await kubelab(['create', '-f', example('replicaset/helloworld-rs.yml')]);
      const rsPods = await waitForPods('app in (helloworld-rs,hello-rs)', 2);
      const rs = await client.get<ReplicaSet>('replicasets.apps', 'default', 'helloworld-rs');
      const adopted = rsPods.find((p) => p.metadata.name === 'orphan-hello');
      assert.ok(adopted, 'the orphan is one of the two');
      assert.deepEqual(
        adopted.metadata.ownerReferences?.map((o) => [o.kind, o.uid, o.controller]),
        [['ReplicaSet', rs.metadata.uid, true]],
      );
      const describe = await kubelab(['describe', 'rs/helloworld-rs']);
      assert.match(describe.stdout, /^Selector:\s+app in \(hello-rs,helloworld-rs\)$/m);
      assert.match(describe.stdout, /^Pods Status:\s+2 Running \//m);

      await kubelab(['delete', 'rs', 'helloworld-rs', '--grace-period', '0']);
      await eventually(async () => (await pods('app in (helloworld-rs,hello-rs)')).length === 0, 30_000);
    });
  });

  describe('deployment (rolling updates, history, undo, pause)', () => {
    const selector = 'app=helloworld';
    const name = 'helloworld-deployment';

    async function rolloutStatus(deployment = name): Promise<CliResult> {
      const r = await kubelab(['rollout', 'status', `deployment/${deployment}`, '--timeout', '2m'], 150_000);
      assert.match(r.stdout, new RegExp(`deployment "${deployment}" successfully rolled out\\n$`));
      return r;
    }

    it('rolls out v1, then v2 without ever dropping below replicas - maxUnavailable ready pods', async () => {
      await kubelab(['apply', '-f', example('deployment/helloworld.yml')]);
      await rolloutStatus();
      const v1 = await waitForPods(selector, 3);
      for (const pod of v1) assert.equal(await answers(pod), 'Hello World!');

      // 3 replicas with the default 25% / 25%: maxUnavailable rounds down to 0, so never below 3.
      let minReady = Infinity;
      let maxReady = 0;
      const watch = await followPods(selector, (all) => {
        const ready = all.filter(isReady).length;
        minReady = Math.min(minReady, ready);
        maxReady = Math.max(maxReady, ready);
      });
      try {
        await kubelab(['apply', '-f', example('deployment/helloworld-v2.yml')]);
        const status = await rolloutStatus();
        assert.match(status.stdout, /Waiting for deployment "helloworld-deployment" rollout to finish/);
      } finally {
        watch.stop();
      }
      assert.ok(minReady >= 3, `ready pods dropped to ${minReady} during the rollout`);
      assert.ok(maxReady <= 4, `at most 3 + maxSurge(1) pods were ready at once, saw ${maxReady}`);

      const v2 = await waitForPods(selector, 3, (p) => imageOf(p) === 'kubelab/hello:v2');
      for (const pod of v2) assert.equal(await answers(pod), 'Hello World V2!');
    });

    it('rollout history lists both revisions with their change-cause; describe shows the new ReplicaSet', async () => {
      const history = await kubelab(['rollout', 'history', `deployment/${name}`]);
      assert.equal(
        history.stdout,
        `deployment.apps/${name} \nREVISION  CHANGE-CAUSE\n` +
          `1         kubelab apply --filename=examples/deployment/helloworld.yml\n` +
          `2         kubelab apply --filename=examples/deployment/helloworld-v2.yml\n\n`,
      );
      const one = await kubelab(['rollout', 'history', `deployment/${name}`, '--revision', '1']);
      assert.match(one.stdout, /^deployment\.apps\/helloworld-deployment with revision #1\nPod Template:\n  Labels:\tapp=helloworld\n\tpod-template-hash=\w+\n/);
      assert.match(one.stdout, /^    Image:\tkubelab\/hello:v1$/m);
      assert.match(one.stdout, /^    Port:\t3000\/TCP$/m);

      const describe = await kubelab(['describe', 'deployment', name]);
      assert.match(describe.stdout, /^Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable$/m);
      assert.match(describe.stdout, /^StrategyType:\s+RollingUpdate$/m);
      assert.match(describe.stdout, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
      assert.match(describe.stdout, /^OldReplicaSets:\s+<none>$/m);
      assert.match(describe.stdout, /^NewReplicaSet:\s+helloworld-deployment-\w+ \(3\/3 replicas created\)$/m);
      assert.match(describe.stdout, /^  Available \s+True\s+MinimumReplicasAvailable$/m);
    });

    it('rollout undo goes back to v1 and re-uses its ReplicaSet as revision 3', async () => {
      const missing = await daemon.kubelab(['rollout', 'undo', `deployment/${name}`, '--to-revision', '9']);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, 'error: unable to find specified revision 9 in history\n');

      const rsBefore = (await client.list<ReplicaSet>('replicasets.apps', { namespace: 'default', labelSelector: selector })).items.length;
      const undo = await kubelab(['rollout', 'undo', `deployment/${name}`]);
      assert.equal(undo.stdout, `deployment.apps/${name} rolled back\n`);
      await rolloutStatus();
      const v1 = await waitForPods(selector, 3, (p) => imageOf(p) === 'kubelab/hello:v1');
      for (const pod of v1) assert.equal(await answers(pod), 'Hello World!');

      const rsAfter = (await client.list<ReplicaSet>('replicasets.apps', { namespace: 'default', labelSelector: selector })).items.length;
      assert.equal(rsAfter, rsBefore, 'no new ReplicaSet: the one of revision 1 was re-used');
      const history = await kubelab(['rollout', 'history', `deployment/${name}`]);
      assert.match(history.stdout, /^2 +kubelab apply --filename=examples\/deployment\/helloworld-v2\.yml\n3 +kubelab apply --filename=examples\/deployment\/helloworld\.yml\n$/m);
      assert.doesNotMatch(history.stdout, /^1 /m);

      const again = await kubelab(['rollout', 'undo', `deployment/${name}`, '--to-revision', '3']);
      assert.equal(again.stdout, `deployment.apps/${name} skipped rollback (current template already matches revision 3)\n`);
    });

    it('a paused deployment does not roll out a new image until resumed', async () => {
      assert.equal((await kubelab(['rollout', 'pause', `deployment/${name}`])).stdout, `deployment.apps/${name} paused\n`);
      const twice = await daemon.kubelab(['rollout', 'pause', `deployment/${name}`]);
      assert.equal(twice.code, 1);
      assert.equal(twice.stderr, `error: deployments.apps "${name}" is already paused\n`);

      const set = await kubelab(['set', 'image', `deployment/${name}`, 'k8s-demo=kubelab/hello:v2']);
      assert.equal(set.stdout, `deployment.apps/${name} image updated\n`);
      const unknown = await daemon.kubelab(['set', 'image', `deployment/${name}`, 'nope=kubelab/hello:v2']);
      assert.equal(unknown.code, 1);
      assert.equal(unknown.stderr, 'error: unable to find container named "nope"\n');
      const paused = await daemon.kubelab(['rollout', 'undo', `deployment/${name}`]);
      assert.equal(paused.code, 1);
      assert.match(paused.stderr, /^error: you cannot rollback a paused deployment; resume it first with 'kubelab rollout resume deployment\/helloworld-deployment' and try again$/m);

      // The controller has seen the change (observedGeneration) and still left every pod on v1.
      await eventually(async () => {
        const d = await client.get<Deployment>('deployments.apps', 'default', name);
        return (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
      }, 20_000);
      await new Promise((r) => setTimeout(r, 1500));
      const stillV1 = await pods(selector);
      assert.equal(stillV1.length, 3);
      assert.ok(stillV1.every((p) => imageOf(p) === 'kubelab/hello:v1'), 'no pod was replaced while paused');
      const describe = await kubelab(['describe', 'deployment', name]);
      // The v2 template's ReplicaSet (revision 2) is the new one again, but nothing is scaled onto it.
      assert.match(describe.stdout, /^NewReplicaSet:\s+helloworld-deployment-\w+ \(0\/0 replicas created\)$/m);
      assert.match(describe.stdout, /^OldReplicaSets:\s+helloworld-deployment-\w+ \(3\/3 replicas created\)$/m);
      assert.match(describe.stdout, /^  Progressing \s+Unknown\s+DeploymentPaused$/m);

      assert.equal((await kubelab(['rollout', 'resume', `deployment/${name}`])).stdout, `deployment.apps/${name} resumed\n`);
      await rolloutStatus();
      const v2 = await waitForPods(selector, 3, (p) => imageOf(p) === 'kubelab/hello:v2');
      for (const pod of v2) assert.equal(await answers(pod), 'Hello World V2!');
    });

    it('delete deployment cascades to its ReplicaSets and pods', async () => {
      const deleted = await kubelab(['delete', 'deployment', name, '--grace-period', '0']);
      assert.equal(deleted.stdout, `deployment.apps "${name}" deleted\n`);
      await eventually(async () => {
        const left = await client.list<ReplicaSet>('replicasets.apps', { namespace: 'default', labelSelector: selector });
        return left.items.length === 0 && (await pods(selector)).length === 0;
      }, 60_000);
    });
  });

  describe('deployment strategies and failures', () => {
    it('Recreate never runs v1 and v2 pods at once; --cascade=orphan keeps the pods', async () => {
      const recreate = (t: string) => t.replace('replicas: 3', 'replicas: 2\n  strategy:\n    type: Recreate');
      const v1 = await variantOf('deployment/helloworld.yml', 'recreate-deployment', 'recreate', recreate);
      const v2 = await variantOf('deployment/helloworld-v2.yml', 'recreate-deployment', 'recreate', recreate);
      await kubelab(['apply', '-f', v1]);
      await kubelab(['rollout', 'status', 'deployment/recreate-deployment', '--timeout', '2m'], 150_000);

      let mixed: string | undefined;
      const watch = await followPods('app=recreate', (all) => {
        const images = new Set(all.map(imageOf));
        if (images.size > 1) mixed ??= all.map((p) => `${p.metadata.name}=${imageOf(p)}`).join(', ');
      });
      try {
        await kubelab(['apply', '-f', v2]);
        await kubelab(['rollout', 'status', 'deployment/recreate-deployment', '--timeout', '2m'], 150_000);
      } finally {
        watch.stop();
      }
      assert.equal(mixed, undefined, `v1 and v2 pods existed together: ${mixed}`);
      const running = await waitForPods('app=recreate', 2, (p) => imageOf(p) === 'kubelab/hello:v2');
      for (const pod of running) assert.equal(await answers(pod), 'Hello World V2!');

      const orphaned = await kubelab(['delete', 'deployment', 'recreate-deployment', '--cascade=orphan']);
      assert.equal(orphaned.stdout, 'deployment.apps "recreate-deployment" deleted\n');
      await kubelab(['delete', 'rs', '-l', 'app=recreate', '--cascade=orphan']);
      await new Promise((r) => setTimeout(r, 2000));
      const kept = await pods('app=recreate');
      assert.deepEqual(kept.map((p) => p.metadata.uid).sort(), running.map((p) => p.metadata.uid).sort(), 'the same pods still run');
      assert.ok(kept.every((p) => isReady(p) && !p.metadata.ownerReferences?.length), 'running, and owned by no one');
      for (const pod of kept) assert.equal(await answers(pod), 'Hello World V2!');
      await kubelab(['delete', 'pods', '-l', 'app=recreate', '--grace-period', '0']);
    });

    it('a daemon SIGKILLed mid-rollout converges to exactly `replicas` v2 pods', async () => {
      const v1 = await variantOf('deployment/helloworld.yml', 'crash-deployment', 'crash');
      const v2 = await variantOf('deployment/helloworld-v2.yml', 'crash-deployment', 'crash');
      await kubelab(['apply', '-f', v1]);
      await waitForPods('app=crash', 3);
      await kubelab(['apply', '-f', v2]);
      const midway = await eventually(async () => {
        const found = await pods('app=crash');
        return found.some((p) => imageOf(p) === 'kubelab/hello:v2') ? found : undefined;
      }, 30_000, 50);
      assert.ok(midway.some((p) => imageOf(p) === 'kubelab/hello:v1'), 'killed while v1 pods were still there');

      await daemon.kill('SIGKILL');
      client.close();
      await daemon.launch();
      client = newClient();

      await kubelab(['rollout', 'status', 'deployment/crash-deployment', '--timeout', '2m'], 150_000);
      const converged = await waitForPods('app=crash', 3, (p) => imageOf(p) === 'kubelab/hello:v2');
      assert.equal(new Set(converged.map((p) => p.metadata.name)).size, 3);
      for (const pod of converged) assert.equal(await answers(pod), 'Hello World V2!');
      // And on the engine: one running app container per pod, none left over from the crash.
      await eventually(async () => {
        const containers = await new Docker().listContainers({ filters: { label: [`io.kubelab.node=${daemon.nodeName}`, 'io.kubelab.container.name=k8s-demo'] } });
        const uids = containers.map((c) => c.Labels['io.kubelab.pod.uid']).filter((uid) => converged.some((p) => p.metadata.uid === uid));
        const crashPods = containers.filter((c) => c.Labels['io.kubelab.pod.name']?.startsWith('crash-deployment-'));
        return crashPods.length === 3 && new Set(uids).size === 3;
      }, 30_000);
      await kubelab(['delete', 'deployment', 'crash-deployment', '--grace-period', '0']);
    });

    it('a nodeSelector deployment stays Pending until the node gets the label', async () => {
      await kubelab(['apply', '-f', example('deployment/helloworld-nodeselector.yml')]);
      const pending = await eventually(async () => {
        const found = await pods('app=helloworld-nodeselector');
        return found.length === 2 ? found : undefined;
      }, 30_000);
      await new Promise((r) => setTimeout(r, 2000));
      for (const pod of await pods('app=helloworld-nodeselector')) {
        assert.equal(pod.status?.phase ?? 'Pending', 'Pending');
        assert.equal(pod.spec.nodeName, undefined, `${pod.metadata.name} is not scheduled`);
      }
      const describe = await kubelab(['describe', 'pod', pending[0].metadata.name!]);
      assert.match(describe.stdout, /FailedScheduling/);

      try {
        assert.equal((await kubelab(['label', 'node', daemon.nodeName, 'hardware=high-spec'])).stdout, `node/${daemon.nodeName} labeled\n`);
        const running = await waitForPods('app=helloworld-nodeselector', 2);
        for (const pod of running) assert.equal(await answers(pod), 'Hello World!');
      } finally {
        await daemon.kubelab(['delete', 'deployment', 'helloworld-nodeselector', '--grace-period', '0']);
        await daemon.kubelab(['label', 'node', daemon.nodeName, 'hardware-']);
      }
    });
  });
});
