// Server-side apply and diff with the real kubectl 1.32 and with kubelab's own CLI against a real
// kubelabd: a conflict between two field managers in kubectl's words, --force-conflicts taking
// the field over (managedFields show it), `kubectl diff` exiting 1 on a change and 0 on none,
// and the same through `kubelab apply --server-side` and `kubelab diff`. The manifests are the
// README's (examples/server-side-apply/).

import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kubectl, requireKubectl } from '../helpers/kubectl.js';
import { TestDaemon } from '../../harness/test-daemon.js';

const examples = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../examples/server-side-apply');
const web = path.join(examples, 'web.yaml');
const web4 = path.join(examples, 'web-4.yaml');

const CONFLICT = `error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`;

interface Entry {
  manager: string;
  operation: string;
  fieldsV1: { 'f:spec'?: Record<string, unknown> };
}

describe('server-side apply and diff (kubectl 1.32 and kubelab)', function () {
  this.timeout(120_000);
  let daemon: TestDaemon | undefined;
  let kubectl: Kubectl;

  before(async function () {
    const binary = requireKubectl(this);
    daemon = await TestDaemon.start();
    kubectl = await Kubectl.forDaemon(binary, daemon);
  });
  after(async () => {
    await kubectl?.killAll();
    await daemon?.cleanup();
  });

  const managedFields = async (name: string): Promise<Entry[]> =>
    JSON.parse(await kubectl.ok(['get', 'deployment', name, '-o', 'jsonpath={.metadata.managedFields}', '--show-managed-fields'])) as Entry[];
  const ownsReplicas = (entry: Entry | undefined) => Boolean(entry?.fieldsV1['f:spec'] && 'f:replicas' in entry.fieldsV1['f:spec']);

  it('kubectl: a conflict with the client-side apply, then --force-conflicts takes .spec.replicas', async () => {
    assert.equal(await kubectl.ok(['apply', '-f', web]), 'deployment.apps/ssa-web created\n');
    const before = await managedFields('ssa-web');
    assert.ok(ownsReplicas(before.find((e) => e.manager === 'kubectl-client-side-apply' && e.operation === 'Update')));

    const refused = await kubectl.run(['apply', '--server-side', '-f', web4]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, CONFLICT);
    assert.equal(await kubectl.ok(['get', 'deployment', 'ssa-web', '-o', 'jsonpath={.spec.replicas}']), '2');

    assert.equal(await kubectl.ok(['apply', '--server-side', '--force-conflicts', '-f', web4]), 'deployment.apps/ssa-web serverside-applied\n');
    assert.equal(await kubectl.ok(['get', 'deployment', 'ssa-web', '-o', 'jsonpath={.spec.replicas}']), '4');
    const after = await managedFields('ssa-web');
    assert.ok(ownsReplicas(after.find((e) => e.manager === 'kubectl' && e.operation === 'Apply')), JSON.stringify(after));
    assert.ok(!after.some((e) => e.manager !== 'kubectl' && ownsReplicas(e)), JSON.stringify(after));
  });

  it('kubectl diff: exit 1 with the change shown, 0 when the file matches', async () => {
    const changed = await kubectl.run(['diff', '-f', web]);
    assert.equal(changed.code, 1, changed.stderr);
    assert.match(changed.stdout, /^-  replicas: 4\n\+  replicas: 2$/m);
    const same = await kubectl.run(['diff', '-f', web4]);
    assert.equal(same.code, 0, same.stderr + same.stdout);
    assert.equal(same.stdout, '');
    const serverSide = await kubectl.run(['diff', '--server-side', '-f', web]);
    assert.equal(serverSide.code, 1, serverSide.stderr);
    assert.match(serverSide.stdout, /^-  replicas: 4\n\+  replicas: 2$/m);
    assert.equal(await kubectl.ok(['get', 'deployment', 'ssa-web', '-o', 'jsonpath={.spec.replicas}']), '4', 'diff changed nothing');
  });

  it('kubelab apply --server-side: the same conflict, --force-conflicts with its own field manager', async () => {
    const refused = await daemon!.kubelab(['apply', '--server-side', '--field-manager', 'lab-tool', '-f', web]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, CONFLICT.replace('"kubectl-client-side-apply" using apps/v1', '"kubectl"'));
    const forced = await daemon!.kubelab(['apply', '--server-side', '--force-conflicts', '--field-manager', 'lab-tool', '-f', web]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(forced.stdout, 'deployment.apps/ssa-web serverside-applied\n');
    const entries = await managedFields('ssa-web');
    assert.ok(ownsReplicas(entries.find((e) => e.manager === 'lab-tool' && e.operation === 'Apply')), JSON.stringify(entries));
  });

  it('kubelab diff: a unified diff and exit 1 on a change, nothing and exit 0 without', async () => {
    const changed = await daemon!.kubelab(['diff', '--server-side', '--field-manager', 'lab-tool', '-f', web4]);
    assert.equal(changed.code, 1, changed.stderr);
    assert.match(changed.stdout, /^diff -u -N LIVE\/apps\.v1\.Deployment\.default\.ssa-web MERGED\/apps\.v1\.Deployment\.default\.ssa-web\n--- LIVE\/apps\.v1\.Deployment\.default\.ssa-web\n\+\+\+ MERGED\/apps\.v1\.Deployment\.default\.ssa-web\n@@ /);
    assert.match(changed.stdout, /^-  replicas: 2\n\+  replicas: 4$/m);
    const same = await daemon!.kubelab(['diff', '--server-side', '--field-manager', 'lab-tool', '-f', web]);
    assert.equal(same.code, 0, same.stderr + same.stdout);
    assert.equal(same.stdout, '');
    const created = await daemon!.kubelab(['diff', '-f', '-'], { input: (await import('node:fs')).readFileSync(web, 'utf8').replace(/ssa-web/g, 'ssa-new') });
    assert.equal(created.code, 1, created.stderr);
    assert.match(created.stdout, /^@@ -0,0 \+1,\d+ @@\n\+apiVersion: apps\/v1\n/m);
  });
});
