// The real kubectl reading kubelab's schemas (lib/api/schemas, served as OpenAPI v3 by
// daemon/api/openapi.ts): `kubectl explain` prints their field docs, and a manifest with a
// wrongly typed field is refused by the server with a 422 naming the field, as kube-apiserver
// words it, while `kubectl apply` of a good one still works with the schemas published.

import assert from 'node:assert/strict';
import path from 'node:path';
import { Kubectl, requireKubectl, waitForReadyPods } from '../helpers/kubectl.js';
import { deploymentYaml, documents, serviceYaml } from '../helpers/kubectl-manifests.js';
import { TestDaemon } from '../../harness/test-daemon.js';
import { RESOURCES } from '../../lib/api/resources.js';

const configMap = (data: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: explained
  labels: {io.kubelab.test: kubectl-explain}
data: ${data}
`;

describe('kubectl explain and typed fields against kubelabd', function () {
  this.timeout(120_000);
  let daemon: TestDaemon | undefined;
  let kubectl: Kubectl;

  before(async function () {
    const binary = requireKubectl(this);
    daemon = await TestDaemon.start();
    kubectl = await Kubectl.forDaemon(binary, daemon);
  });
  after(async () => {
    await kubectl?.run(['delete', 'configmap', '-l', 'io.kubelab.test=kubectl-explain', '--ignore-not-found']);
    await kubectl?.run(['delete', 'deployment,service', 'typed', '--ignore-not-found']);
    await kubectl?.killAll();
    await daemon?.cleanup();
  });

  it('explain pod.spec.containers: the Container fields with their types and docs', async () => {
    const out = await kubectl.ok(['explain', 'pod.spec.containers']);
    assert.match(out, /KIND:\s+Pod/);
    assert.match(out, /FIELD: containers <\[\]Container>/);
    assert.match(out, /name\s+<string> -required-/);
    assert.match(out, /ports\s+<\[\]ContainerPort>/);
    assert.match(out, /imagePullPolicy\s+<string>\s+enum: Always, IfNotPresent, Never/);
    assert.match(out, /Entrypoint array\. Not executed within a shell\./);
  });

  it('explain deployment.spec.replicas and secret.data: scalar and map fields of other groups', async () => {
    const replicas = await kubectl.ok(['explain', 'deployment.spec.replicas']);
    assert.match(replicas, /GROUP:\s+apps/);
    assert.match(replicas, /FIELD: replicas <integer>/);
    const data = await kubectl.ok(['explain', 'secrets.data']);
    assert.match(data, /FIELD: data <map\[string\]string>/);
  });

  it('explain deployment.spec.strategy: the strategy struct, its enum and fields', async () => {
    const out = await kubectl.ok(['explain', 'deployment.spec.strategy']);
    assert.match(out, /GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n/);
    assert.match(out, /FIELD: strategy <DeploymentStrategy>/);
    assert.match(out, /rollingUpdate\t<RollingUpdateDeployment>/);
    assert.match(out, /type\t<string>\n {2}enum: Recreate, RollingUpdate/);
  });

  it('explain and explain --recursive work for every kind served', async () => {
    for (const r of RESOURCES) {
      // --api-version picks the version (autoscaling serves v1 and v2); kubectl wants the plain plural with it.
      const resource = r.plural;
      const args = ['--api-version', r.group ? `${r.group}/${r.version}` : r.version];
      const out = await kubectl.ok(['explain', resource, ...args]);
      assert.match(out, new RegExp(`KIND:\\s+${r.kind}\\nVERSION:\\s+${r.version}\\n`), resource);
      assert.match(out, /DESCRIPTION:\n {4}\S/, resource);
      const recursive = await kubectl.ok(['explain', resource, '--recursive', ...args]);
      assert.match(recursive, /metadata\t<ObjectMeta>/, resource);
    }
  });

  it('a wrongly typed field is a 422 naming the field; apply of the fixed manifest succeeds', async () => {
    const refused = await kubectl.run(['apply', '-f', '-'], { input: configMap('{a: {nested: true}}') });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /ConfigMap "explained" is invalid: data\[a\]: Invalid value: "object": data\[a\] in body must be of type string: "object"/);
    await kubectl.ok(['apply', '-f', '-'], { input: configMap('{a: "1"}') });
    await kubectl.ok(['apply', '-f', '-'], { input: configMap('{a: "2", b: "3"}') });
    assert.equal(await kubectl.ok(['get', 'configmap', 'explained', '-o', 'jsonpath={.data.a},{.data.b}']), '2,3');
  });

  it('the README example: examples/invalid/pod-string-ports.yaml is refused as the README shows, nothing stored', async () => {
    const file = path.resolve(import.meta.dirname, '../../examples/invalid/pod-string-ports.yaml');
    const refused = await kubectl.run(['apply', '-f', file]);
    assert.notEqual(refused.code, 0);
    assert.equal(
      refused.stderr.trim(),
      'The Pod "string-ports" is invalid: spec.containers[0].ports: Invalid value: "string": spec.containers[0].ports in body must be of type array: "string"',
    );
    const get = await kubectl.run(['get', 'pod', 'string-ports']);
    assert.match(get.stderr, /NotFound/);
  });

  it('every write the components make passes the schemas: a Deployment and its Service come up, endpoints and events included', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: documents(deploymentYaml('typed', { replicas: 2, withSide: false }), serviceYaml('typed', [80])) });
    await waitForReadyPods(kubectl, 'app=typed', 2);
    const addresses = await kubectl.ok(['get', 'endpoints', 'typed', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
    assert.equal(addresses.trim().split(/\s+/).length, 2, addresses);
    assert.match(await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.kind=Deployment']), /ScalingReplicaSet/);
  });
});
