// kubectl's typed generators against kubelabd: `kubectl create deployment|job|cronjob|service|
// configmap|secret|namespace|serviceaccount|role|clusterrole|rolebinding|clusterrolebinding`, `run`, `expose` and `autoscale` build Go objects and POST them as
// protobuf (application/vnd.kubernetes.protobuf). Each object the server stored must hold every
// field of the JSON the same command prints with --dry-run=client -o json: the protobuf decoder
// (lib/api/protobuf-objects.ts, numbers from tools/proto-numbers.ts) loses nothing and invents
// nothing, and a pointer's zero (`--replicas=0`) stays 0 rather than being defaulted to 1.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TestDaemon } from '../../harness/test-daemon.js';
import { Kubectl, requireKubectl } from '../helpers/kubectl.js';

const run = promisify(execFile);

/** Every leaf of `expected` (empty objects, nulls and empty lists aside) is in `actual` with the same value. */
function missingLeaves(expected: unknown, actual: unknown, at = ''): string[] {
  if (expected === null || expected === undefined) return [];
  if (Array.isArray(expected)) {
    if (expected.length === 0) return [];
    if (!Array.isArray(actual)) return [`${at}: expected a list, got ${JSON.stringify(actual)}`];
    return expected.flatMap((item, i) => missingLeaves(item, actual[i], `${at}[${i}]`));
  }
  if (typeof expected === 'object') {
    if (typeof actual !== 'object' || actual === null) return Object.keys(expected).length ? [`${at}: expected an object, got ${JSON.stringify(actual)}`] : [];
    return Object.entries(expected).flatMap(([key, value]) => missingLeaves(value, (actual as Record<string, unknown>)[key], `${at}.${key}`));
  }
  return expected === actual ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

describe('kubectl create generators (protobuf bodies) against kubelabd', function () {
  this.timeout(180_000);
  let daemon: TestDaemon | undefined;
  let kubectl: Kubectl;
  let dir: string;

  before(async function () {
    const binary = requireKubectl(this);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-generators-'));
    daemon = await TestDaemon.start();
    kubectl = await Kubectl.forDaemon(binary, daemon);
  });
  after(async () => {
    await kubectl?.killAll();
    await daemon?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  /** Runs `kubectl <args>`, then checks the stored object against the same command's --dry-run=client JSON. */
  async function createdAsSent(args: string[], resource: string, name: string, namespace = 'default'): Promise<Record<string, any>> {
    const [verbArgs, trailing] = args.includes('--') ? [args.slice(0, args.indexOf('--')), args.slice(args.indexOf('--'))] : [args, []];
    const sent = JSON.parse(await kubectl.ok([...verbArgs, '--dry-run=client', '-o', 'json', ...trailing]));
    await kubectl.ok(args);
    const stored = JSON.parse(await kubectl.ok(['get', resource, name, '-n', namespace, '-o', 'json']));
    delete sent.status;
    delete sent.metadata.creationTimestamp;
    assert.deepEqual(missingLeaves(sent, stored), [], `${args.join(' ')}: stored ${JSON.stringify(stored)}`);
    return stored;
  }

  it('create deployment --replicas=0 --port: every field as sent, replicas stays 0', async () => {
    const stored = await createdAsSent(['create', 'deployment', 'web', '--image=kubelab/hello:v1', '--replicas=0', '--port=8080'], 'deployment', 'web');
    assert.equal(stored.spec.replicas, 0);
    assert.equal(stored.spec.template.spec.containers[0].ports[0].containerPort, 8080);
  });

  it('create job and cronjob', async () => {
    await createdAsSent(['create', 'cronjob', 'tick', '--image=kubelab/busybox:1', '--schedule=*/5 * * * *', '--', 'echo', 'tick'], 'cronjob', 'tick');
    const job = await createdAsSent(['create', 'job', 'once', '--image=kubelab/busybox:1', '--', 'echo', 'once'], 'job', 'once');
    assert.deepEqual(job.spec.template.spec.containers[0].command, ['echo', 'once']);
    await createdAsSent(['create', 'job', 'from-tick', '--from=cronjob/tick'], 'job', 'from-tick');
  });

  it('create service clusterip, nodeport, loadbalancer and externalname', async () => {
    const cip = await createdAsSent(['create', 'service', 'clusterip', 'web-cip', '--tcp=80:8080'], 'service', 'web-cip');
    assert.match(cip.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/);
    const np = await createdAsSent(['create', 'service', 'nodeport', 'web-np', '--tcp=80:8080'], 'service', 'web-np');
    assert.ok(np.spec.ports[0].nodePort > 0);
    await createdAsSent(['create', 'service', 'loadbalancer', 'web-lb', '--tcp=80:8080'], 'service', 'web-lb');
    const ext = await createdAsSent(['create', 'service', 'externalname', 'ext', '--external-name=example.invalid'], 'service', 'ext');
    assert.equal(ext.spec.type, 'ExternalName');
  });

  it('create configmap, namespace and secrets generic, tls and docker-registry', async () => {
    await createdAsSent(['create', 'configmap', 'cm', '--from-literal=a=b', '--from-literal=c=d'], 'configmap', 'cm');
    await createdAsSent(['create', 'namespace', 'gen-ns'], 'namespace', 'gen-ns', '');
    await createdAsSent(['create', 'secret', 'docker-registry', 'reg', '--docker-server=registry.invalid', '--docker-username=u', '--docker-password=p'], 'secret', 'reg');
    const key = path.join(dir, 'tls.key');
    const cert = path.join(dir, 'tls.crt');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=gen.invalid']);
    const tls = await createdAsSent(['create', 'secret', 'tls', 'tls', `--cert=${cert}`, `--key=${key}`], 'secret', 'tls');
    assert.equal(tls.type, 'kubernetes.io/tls');
  });

  it('create serviceaccount, listed with NAME, SECRETS, AGE', async () => {
    await createdAsSent(['create', 'serviceaccount', 'robot'], 'serviceaccount', 'robot');
    const table = await kubectl.ok(['get', 'sa', 'robot']);
    assert.match(table, /^NAME\s+SECRETS\s+AGE\nrobot\s+0\s+\S+\n$/);
  });

  it('run, expose and autoscale', async () => {
    const pod = await createdAsSent(['run', 'solo', '--image=kubelab/hello:v1', '--port=8080', '--labels=app=solo', '--env=GREETING=hi'], 'pod', 'solo');
    assert.deepEqual(pod.spec.containers[0].env, [{ name: 'GREETING', value: 'hi' }]);
    await createdAsSent(['expose', 'pod', 'solo', '--port=80', '--target-port=8080', '--name=solo-svc'], 'service', 'solo-svc');
    // kubectl autoscale sends autoscaling/v1; read it back in v1 (the server stores v2 and converts).
    await createdAsSent(['autoscale', 'deployment', 'web', '--min=1', '--max=3', '--cpu-percent=50'], 'horizontalpodautoscalers.v1.autoscaling', 'web');
  });

  it('create role, clusterrole, rolebinding and clusterrolebinding', async () => {
    const role = await createdAsSent(['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=web'], 'role', 'pod-reader');
    assert.deepEqual(role.rules[1], { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['get', 'list'] });
    await createdAsSent(['create', 'clusterrole', 'node-reader', '--verb=get', '--resource=nodes', '--non-resource-url=/healthz'], 'clusterrole', 'node-reader');
    await createdAsSent(['create', 'rolebinding', 'read-pods', '--role=pod-reader', '--user=bob', '--group=devs', '--serviceaccount=default:builder'], 'rolebinding', 'read-pods');
    const binding = await createdAsSent(['create', 'clusterrolebinding', 'read-nodes', '--clusterrole=node-reader', '--user=bob'], 'clusterrolebinding', 'read-nodes');
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'node-reader' });
  });
});
