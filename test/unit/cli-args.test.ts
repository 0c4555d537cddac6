import assert from 'node:assert/strict';
import { parseResourceArgs, resolveTypes } from '../../cli/resource-args.js';
import { parseOutputFormat } from '../../cli/output-format.js';
import { isMetadataChange, parseMetadataChanges, planMetadataPatch } from '../../cli/metadata-edit.js';
import { planApplyPatch, withLastApplied, lastAppliedOf } from '../../cli/apply-patch.js';
import { formatError } from '../../cli/cli-errors.js';
import { ApiError, invalid, fieldRequired, notFound, unauthorized } from '../../lib/errors.js';

describe('cli argument handling', () => {
  it('resolves TYPE[,TYPE] NAME..., TYPE/NAME and all', () => {
    const t = parseResourceArgs(['po,svc', 'web', 'db']);
    assert.deepEqual(t.map((x) => [x.info.plural, x.names]), [['pods', ['web', 'db']], ['services', ['web', 'db']]]);
    const s = parseResourceArgs(['pod/web', 'deploy/d', 'pods/x']);
    assert.deepEqual(s.map((x) => [x.info.plural, x.names]), [['pods', ['web', 'x']], ['deployments', ['d']]]);
    assert.deepEqual(resolveTypes('all').map((i) => i.plural).sort(), ['cronjobs', 'daemonsets', 'deployments', 'horizontalpodautoscalers', 'jobs', 'pods', 'replicasets', 'replicationcontrollers', 'services', 'statefulsets']);
    assert.throws(() => parseResourceArgs(['bogus']), { message: 'the server doesn\'t have a resource type "bogus"' });
    assert.throws(() => parseResourceArgs(['pod', 'pod/web']), /resource\/name form/);
  });

  it('parses -o', () => {
    assert.deepEqual(parseOutputFormat(undefined), { kind: 'table', wide: false });
    assert.deepEqual(parseOutputFormat('wide'), { kind: 'table', wide: true });
    assert.deepEqual(parseOutputFormat('jsonpath={.a}'), { kind: 'jsonpath', template: '{.a}' });
    assert.throws(() => parseOutputFormat('xml'), /unable to match a printer suitable for the output format "xml"/);
    assert.throws(() => parseOutputFormat('jsonpath={.a'), /unclosed action/);
  });

  it('label/annotate: key=value sets, key- removes, --overwrite guards existing values', () => {
    assert.ok(isMetadataChange('app=web') && isMetadataChange('app-') && !isMetadataChange('web'));
    const changes = parseMetadataChanges(['app=web', 'example.com/x=1', 'old-']);
    assert.deepEqual(changes, { set: { app: 'web', 'example.com/x': '1' }, remove: ['old'] });
    assert.deepEqual(planMetadataPatch({ old: 'y' }, changes, false), { app: 'web', 'example.com/x': '1', old: null });
    assert.equal(planMetadataPatch({ app: 'web', 'example.com/x': '1' }, { set: { app: 'web', 'example.com/x': '1' }, remove: ['gone'] }, false), undefined);
    assert.throws(() => planMetadataPatch({ app: 'web' }, { set: { app: 'db' }, remove: [] }, false), {
      message: "'app' already has a value (web), and --overwrite is false",
    });
    assert.deepEqual(planMetadataPatch({ app: 'web' }, { set: { app: 'db' }, remove: [] }, true), { app: 'db' });
  });

  it('apply: three-way merge patch; unchanged files patch nothing despite server defaults', () => {
    const file = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', labels: { app: 'web', old: 'x' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } };
    const applied = withLastApplied(file);
    const live = {
      ...structuredClone(applied),
      metadata: { ...structuredClone(applied.metadata), uid: 'u', resourceVersion: '7', labels: { app: 'web', old: 'x', 'added-by-someone': 'y' } },
      spec: { containers: [{ name: 'c', image: 'v1', imagePullPolicy: 'IfNotPresent' }], restartPolicy: 'Always' },
      status: { phase: 'Running' },
    };
    assert.deepEqual(lastAppliedOf(live)?.metadata.labels, file.metadata.labels);
    assert.deepEqual(planApplyPatch(lastAppliedOf(live), applied, live), {});

    const changed = structuredClone(file);
    changed.spec.containers[0].image = 'v2';
    delete (changed.metadata.labels as Record<string, string>).old;
    const next = withLastApplied(changed);
    const patch = planApplyPatch(lastAppliedOf(live), next, live);
    assert.deepEqual(patch.spec, { containers: [{ name: 'c', image: 'v2' }] });
    assert.deepEqual((patch.metadata as Record<string, Record<string, unknown>>).labels, { old: null });
    assert.ok((patch.metadata as Record<string, Record<string, unknown>>).annotations['kubectl.kubernetes.io/last-applied-configuration']);
  });

  it('formats errors like kubectl', () => {
    assert.equal(formatError(notFound('pods', 'x')), 'Error from server (NotFound): pods "x" not found');
    assert.equal(
      formatError(invalid('Pod', '', 'x', [fieldRequired('spec.containers[0].image'), fieldRequired('spec.containers[0].name')])),
      'The Pod "x" is invalid: \n* spec.containers[0].image: Required value\n* spec.containers[0].name: Required value',
    );
    assert.match(formatError(invalid('Deployment', 'apps', 'd', [fieldRequired('spec.selector')])), /^The Deployment\.apps "d" is invalid: /);
    assert.equal(formatError(unauthorized()), 'error: You must be logged in to the server (the server has asked for the client to provide credentials)');
    assert.equal(formatError(new ApiError(500, 'InternalError', 'Internal error occurred: boom')), 'Error from server (InternalError): Internal error occurred: boom');
    assert.equal(formatError(new Error('nope')), 'error: nope');
  });
});
