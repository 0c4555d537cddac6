import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandManifestPaths, readManifestTexts, resolveManifestObjects } from '../../cli/manifest-sources.js';
import { joinStdinFilename } from '../../cli/main.js';
import { deleteOptionsOf } from '../../cli/commands/delete.js';

describe('cli manifest sources (-f FILE|DIR|-)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-sources-'));
    fs.writeFileSync(path.join(dir, 'b.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: other}\n');
    fs.writeFileSync(path.join(dir, 'a.yml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n');
    fs.writeFileSync(path.join(dir, 'c.json'), '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{}}');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a manifest');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a directory is its .yaml/.yml/.json files in name order; - is stdin', async () => {
    assert.deepEqual(await expandManifestPaths([dir, '-']), [path.join(dir, 'a.yml'), path.join(dir, 'b.yaml'), path.join(dir, 'c.json'), '-']);
    const texts = await readManifestTexts(['-'], async () => 'from stdin');
    assert.deepEqual(texts, [{ source: 'STDIN', text: 'from stdin' }]);
    await assert.rejects(expandManifestPaths([path.join(dir, 'missing.yaml')]), /the path ".*missing\.yaml" does not exist/);
  });

  it('settles resources and namespaces: the file wins, -n fills in, cluster objects stay cluster-wide', async () => {
    const objects = resolveManifestObjects(await readManifestTexts([dir]), 'default', false);
    assert.deepEqual(
      objects.map((o) => [o.info.plural, o.object.metadata.namespace]),
      [['pods', 'default'], ['namespaces', undefined], ['secrets', 'other'], ['deployments', 'default']],
    );
    assert.throws(() => resolveManifestObjects([{ source: 'x.yaml', text: 'apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: a}\n' }], 'b', true), /namespace from the provided object "a" does not match the namespace "b"/);
  });

  it('names the file and the kind it does not serve', () => {
    assert.throws(() => resolveManifestObjects([{ source: 'examples/x.yaml', text: 'apiVersion: v1\nkind: Foo\nmetadata: {name: f}\n' }], 'default', false), {
      message: 'examples/x.yaml: kind "Foo" (apiVersion "v1") is not served by kubelab',
    });
  });

  it('reads `-f -` as one token and turns delete flags into DeleteOptions', () => {
    assert.deepEqual(joinStdinFilename(['create', '-f', '-', '-n', 'x']), ['create', '--filename=-', '-n', 'x']);
    assert.deepEqual(deleteOptionsOf({ gracePeriod: -1, cascade: 'background' }), { propagationPolicy: 'Background' });
    assert.deepEqual(deleteOptionsOf({ gracePeriod: 30, now: true, cascade: 'orphan' }), { propagationPolicy: 'Orphan', gracePeriodSeconds: 1 });
    assert.throws(() => deleteOptionsOf({ gracePeriod: 0, cascade: 'bogus' }), /invalid cascade value \(bogus\)/);
  });
});
