// The real kubectl reading a real kubelab cluster: discovery (version, cluster-info,
// api-resources), `get` with every output format and filter kubectl users reach for, the
// server-side Table columns of each kind (kubectl-compat.md §3.3), `get -w`, `get all` and
// `describe` of each kind. One daemon for the whole file; objects made by `kubectl apply`.

import assert from 'node:assert/strict';
import { Kubectl, requireKubectl, tableRows, waitForReadyPods } from '../helpers/kubectl.js';
import { deploymentYaml, documents, echoReplicaSetYaml, replicationControllerYaml, serviceYaml } from '../helpers/kubectl-manifests.js';
import { TestDaemon } from '../../harness/test-daemon.js';

const header = (stdout: string): string[] => tableRows(stdout)[0];

describe('kubectl get and describe against kubelabd', function () {
  this.timeout(120_000);
  let daemon: TestDaemon | undefined;
  let kubectl: Kubectl;
  let webPod: string;

  before(async function () {
    const binary = requireKubectl(this);
    daemon = await TestDaemon.start();
    kubectl = await Kubectl.forDaemon(binary, daemon);
    const manifests = documents(deploymentYaml('web'), serviceYaml('web'), replicationControllerYaml('rc1'), echoReplicaSetYaml('rs1'));
    await kubectl.ok(['apply', '-f', '-'], { input: manifests });
    await kubectl.ok(['create', 'secret', 'generic', 'creds', '--from-literal=user=admin']);
    [webPod] = await waitForReadyPods(kubectl, 'app=web', 2);
    await waitForReadyPods(kubectl, 'app=rc1', 1);
    await waitForReadyPods(kubectl, 'app=rs1', 1);
  });
  after(async () => {
    await kubectl?.killAll();
    await daemon?.cleanup();
  });

  describe('discovery', () => {
    it('version: client and server 1.32 without a skew warning', async () => {
      const result = await kubectl.run(['version']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Server Version: v1\.32\.\d+/);
      assert.doesNotMatch(result.stdout + result.stderr, /WARNING/);
    });

    it('cluster-info: names the control plane from the kubeconfig', async () => {
      const out = await kubectl.ok(['cluster-info']);
      assert.match(out, new RegExp(`Kubernetes control plane.* is running at .*${daemon!.url.replace(/[.]/g, '\\.')}`));
    });

    it('api-resources: every kind with its short names and group', async () => {
      const rows = tableRows(await kubectl.ok(['api-resources']));
      assert.deepEqual(rows[0], ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
      // A name can be served by two groups (pods: v1 Pod and metrics.k8s.io PodMetrics): the core row comes first.
      const byName = new Map<string, string[]>();
      for (const row of rows.slice(1)) if (!byName.has(row[0]!)) byName.set(row[0]!, row);
      assert.deepEqual(byName.get('pods'), ['pods', 'po', 'v1', 'true', 'Pod']);
      assert.ok(rows.some((row) => row.join(' ') === 'pods metrics.k8s.io/v1beta1 true PodMetrics'), 'PodMetrics row');
      assert.deepEqual(byName.get('deployments'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
      assert.deepEqual(byName.get('replicasets'), ['replicasets', 'rs', 'apps/v1', 'true', 'ReplicaSet']);
      assert.deepEqual(byName.get('nodes'), ['nodes', 'no', 'v1', 'false', 'Node']);
      for (const name of ['namespaces', 'secrets', 'events', 'services', 'endpoints', 'replicationcontrollers']) assert.ok(byName.has(name), name);
    });
  });

  describe('get: columns per kind (server-side Tables)', () => {
    const cases: Array<[string, string[], string[]]> = [
      ['pods', ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']],
      ['deployments', ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'], ['CONTAINERS', 'IMAGES', 'SELECTOR']],
      ['replicasets', ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'], ['CONTAINERS', 'IMAGES', 'SELECTOR']],
      ['replicationcontrollers', ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'], ['CONTAINERS', 'IMAGES', 'SELECTOR']],
      ['services', ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'], ['SELECTOR']],
      ['nodes', ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'], ['GOSSIP', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']],
      ['namespaces', ['NAME', 'STATUS', 'AGE'], []],
      ['secrets', ['NAME', 'TYPE', 'DATA', 'AGE'], []],
      ['events', ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], ['SUBOBJECT', 'SOURCE', 'FIRST SEEN', 'COUNT', 'NAME']],
    ];
    for (const [resource, columns, wideOnly] of cases) {
      it(`${resource}: ${columns.join(' ')} (+ ${wideOnly.join(' ') || 'nothing'} with -o wide)`, async () => {
        assert.deepEqual(header(await kubectl.ok(['get', resource])), columns);
        const wide = header(await kubectl.ok(['get', resource, '-o', 'wide']));
        // Wide columns that kubectl shows in between, not after: events' as Kubernetes orders them,
        // and kubelab's GOSSIP beside the node's STATUS.
        const interleaved: Record<string, string[]> = {
          events: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'],
          nodes: ['NAME', 'STATUS', 'GOSSIP', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
        };
        assert.deepEqual(wide, interleaved[resource] ?? [...columns, ...wideOnly]);
      });
    }

    it('rows carry the values a user checks', async () => {
      const pods = tableRows(await kubectl.ok(['get', 'pods', '-l', 'app=web', '-o', 'wide']));
      assert.equal(pods.length, 3);
      for (const row of pods.slice(1)) {
        assert.deepEqual(row.slice(1, 4), ['2/2', 'Running', '0']);
        assert.match(row[5], /^10\.244\.\d+\.\d+$/);
        assert.equal(row[6], daemon!.nodeName);
      }
      const deploy = tableRows(await kubectl.ok(['get', 'deploy', 'web', '-o', 'wide']))[1];
      assert.deepEqual([deploy[0], deploy[1], deploy[2], deploy[3], deploy[5], deploy[6], deploy[7]], ['web', '2/2', '2', '2', 'hello,side', 'kubelab/hello:v1,kubelab/busybox:1', 'app=web']);
      const svc = tableRows(await kubectl.ok(['get', 'svc', 'web']))[1];
      assert.deepEqual([svc[0], svc[1], svc[4]], ['web', 'ClusterIP', '80/TCP,443/TCP']);
      const rc = tableRows(await kubectl.ok(['get', 'rc', 'rc1']))[1];
      assert.deepEqual(rc.slice(0, 4), ['rc1', '1', '1', '1']);
      const secret = tableRows(await kubectl.ok(['get', 'secret', 'creds']))[1];
      assert.deepEqual(secret.slice(0, 3), ['creds', 'Opaque', '1']);
      const node = tableRows(await kubectl.ok(['get', 'nodes']))[1];
      assert.deepEqual(node.slice(0, 2), [daemon!.nodeName, 'Ready']);
      const events = await kubectl.ok(['get', 'events']);
      assert.match(events, /Normal\s+Scheduled\s+pod\/web-/);
      assert.match(events, /Normal\s+SuccessfulCreate\s+replicaset\/rs1/);
    });

    it('endpoints: lists (the endpoints controller fills it) without error', async () => {
      const result = await kubectl.run(['get', 'endpoints']);
      assert.equal(result.code, 0, result.stderr);
    });
  });

  describe('get: output formats and filters', () => {
    it('-o json and -o yaml give the plain objects', async () => {
      const list = JSON.parse(await kubectl.ok(['get', 'pods', '-l', 'app=web', '-o', 'json']));
      assert.equal(list.kind, 'List');
      assert.equal(list.items.length, 2);
      assert.equal(list.items[0].kind, 'Pod');
      const yaml = await kubectl.ok(['get', 'deploy', 'web', '-o', 'yaml']);
      assert.match(yaml, /^kind: Deployment$/m);
      assert.match(yaml, /^ {2}replicas: 2$/m);
    });

    it('-o name and -o jsonpath', async () => {
      assert.deepEqual((await kubectl.ok(['get', 'rc,rs', '-o', 'name'])).trim().split('\n').sort(), ['replicaset.apps/rs1', `replicaset.apps/${(await kubectl.ok(['get', 'rs', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}']))}`, 'replicationcontroller/rc1'].sort());
      assert.equal(await kubectl.ok(['get', 'secret', 'creds', '-o', 'jsonpath={.data.user}']), Buffer.from('admin').toString('base64'));
    });

    it('-l, --field-selector and -A', async () => {
      assert.deepEqual(tableRows(await kubectl.ok(['get', 'pods', '-l', 'app in (rc1,rs1)', '--no-headers'])).map((r) => r[0].split('-')[0]).sort(), ['rc1', 'rs1']);
      const byName = tableRows(await kubectl.ok(['get', 'pods', '--field-selector', `metadata.name=${webPod}`, '--no-headers']));
      assert.deepEqual(byName.map((r) => r[0]), [webPod]);
      const running = tableRows(await kubectl.ok(['get', 'pods', '--field-selector', 'status.phase=Running', '--no-headers']));
      assert.equal(running.length, 4);
      const none = await kubectl.run(['get', 'pods', '--field-selector', 'status.phase=Failed']);
      assert.match(none.stderr, /No resources found in default namespace\./);
      const all = tableRows(await kubectl.ok(['get', 'pods', '-A']));
      assert.deepEqual(all[0].slice(0, 2), ['NAMESPACE', 'NAME']);
      assert.ok(all.slice(1).every((row) => row[0] === 'default'));
      const namespaces = tableRows(await kubectl.ok(['get', 'namespaces', '--no-headers'])).map((r) => r[0]);
      for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(namespaces.includes(ns), ns);
    });

    it('--show-labels, -L and --sort-by', async () => {
      const labelled = tableRows(await kubectl.ok(['get', 'pods', '-l', 'app=rc1', '--show-labels']));
      assert.equal(labelled[0].at(-1), 'LABELS');
      assert.equal(labelled[1].at(-1), 'app=rc1');
      const column = tableRows(await kubectl.ok(['get', 'pods', '-L', 'app', '--sort-by', '.metadata.name']));
      assert.equal(column[0].at(-1), 'APP');
      const names = column.slice(1).map((r) => r[0]);
      assert.deepEqual(names, [...names].sort());
      assert.deepEqual(column.slice(1).map((r) => r.at(-1)), ['rc1', 'rs1', 'web', 'web']);
      const byCreation = tableRows(await kubectl.ok(['get', 'rs', '--sort-by', '.spec.replicas', '--no-headers'])).map((r) => r[1]);
      assert.deepEqual(byCreation, ['1', '2']);
    });

    it('get all: pods, services, deployments, replica sets and replication controllers', async () => {
      const out = await kubectl.ok(['get', 'all']);
      for (const pattern of [/^pod\/web-\S+\s+2\/2\s+Running/m, /^service\/web\s+ClusterIP/m, /^deployment\.apps\/web\s+2\/2/m, /^replicaset\.apps\/rs1\s+1\s+1\s+1/m, /^replicationcontroller\/rc1\s+1\s+1\s+1/m]) {
        assert.match(out, pattern);
      }
    });

    it('get -w: one header, then a row for an object created meanwhile', async () => {
      const watch = kubectl.spawn(['get', 'pods', '-w']);
      try {
        await watch.waitFor(/^rc1-\S+\s+1\/1\s+Running/m);
        await kubectl.ok(['run', 'watched', '--image=kubelab/pause:1', '--restart=Never']);
        await watch.waitFor(/^watched\s+0\/1\s+(Pending|ContainerCreating)/m);
        await watch.waitFor(/^watched\s+1\/1\s+Running/m, 30_000);
        assert.equal(watch.output().match(/^NAME\s+READY/gm)?.length, 1, watch.output());
      } finally {
        await watch.kill();
        await kubectl.run(['delete', 'pod', 'watched', '--grace-period=1']);
      }
    });
  });

  describe('describe', () => {
    it('pod: containers, conditions and events', async () => {
      const out = await kubectl.ok(['describe', 'pod', webPod]);
      assert.match(out, new RegExp(`^Node:\\s+${daemon!.nodeName}/`, 'm'));
      assert.match(out, /^Status:\s+Running$/m);
      assert.match(out, /^Controlled By:\s+ReplicaSet\/web-/m);
      assert.match(out, /^ {2}hello:\n\s+Container ID:\s+docker:\/\//m);
      assert.match(out, /^\s+Port:\s+3000\/TCP$/m);
      assert.match(out, /^ {2}Ready\s+True/m);
      assert.match(out, /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\//);
      assert.match(out, /Normal\s+Started\s+\S+\s+kubelet\s+Started container side/);
    });

    it('node: status, addresses, capacity and its pods', async () => {
      const out = await kubectl.ok(['describe', 'node', daemon!.nodeName]);
      assert.match(out, /^ {2}Ready\s+True\s/m);
      assert.match(out, /^ {2}InternalIP:\s+\S+/m);
      assert.match(out, /^Non-terminated Pods:\s+\(4 in total\)/m);
      assert.match(out, new RegExp(`^\\s+default\\s+${webPod}\\s`, 'm'));
    });

    it('service, rc, rs, deployment and secret', async () => {
      const svc = await kubectl.ok(['describe', 'svc', 'web']);
      assert.match(svc, /^Selector:\s+app=web$/m);
      assert.match(svc, /^Port:\s+p443\s+443\/TCP$/m);
      assert.match(svc, /^TargetPort:\s+3000\/TCP$/m);
      const rc = await kubectl.ok(['describe', 'rc', 'rc1']);
      assert.match(rc, /^Pods Status:\s+1 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
      assert.match(rc, /Normal\s+SuccessfulCreate\s+\S+\s+replication-controller\s+Created pod: rc1-/);
      const rs = await kubectl.ok(['describe', 'rs', 'rs1']);
      assert.match(rs, /^Replicas:\s+1 current \/ 1 desired$/m);
      assert.match(rs, /Normal\s+SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: rs1-/);
      const deploy = await kubectl.ok(['describe', 'deploy', 'web']);
      assert.match(deploy, /^Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable$/m);
      assert.match(deploy, /^StrategyType:\s+RollingUpdate$/m);
      assert.match(deploy, /^NewReplicaSet:\s+web-\S+ \(2\/2 replicas created\)$/m);
      assert.match(deploy, /Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set web-\S+ to 2/);
      const secret = await kubectl.ok(['describe', 'secret', 'creds']);
      assert.match(secret, /^Type:\s+Opaque$/m);
      assert.match(secret, /^user:\s+5 bytes$/m);
    });
  });
});
