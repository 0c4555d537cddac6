import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diffFileName, planObjectDiff, unifiedDiff } from '../../cli/object-diff.js';
import { resourceByKey } from '../../lib/api/resources.js';

/** GNU diff -u on the same two texts, without its two header lines (they carry times). */
function gnuHunks(from: string, to: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-diff-'));
  try {
    fs.writeFileSync(path.join(dir, 'a'), from);
    fs.writeFileSync(path.join(dir, 'b'), to);
    try {
      execFileSync('diff', ['-u', '-N', path.join(dir, 'a'), path.join(dir, 'b')], { encoding: 'utf8' });
      return [];
    } catch (err) {
      return ((err as { stdout: string }).stdout).trimEnd().split('\n').slice(2);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const lines = (n: number, change: (i: number) => string | undefined = () => undefined) =>
  Array.from({ length: n }, (_, i) => change(i) ?? `line ${i}`).filter((l) => l !== '').join('\n') + '\n';

describe('kubelab diff: the unified diff of two objects', () => {
  const cases: [string, string, string][] = [
    ['one line changed', lines(20), lines(20, (i) => (i === 10 ? 'changed' : undefined))],
    ['two changes far apart: two hunks', lines(40), lines(40, (i) => (i === 5 || i === 30 ? 'changed' : undefined))],
    ['two changes close together: one hunk', lines(40), lines(40, (i) => (i === 5 || i === 11 ? 'changed' : undefined))],
    ['lines removed and added at the ends', lines(10), lines(12, (i) => (i === 0 ? '' : undefined)) + 'tail\n'],
    ['a new file', '', lines(5)],
    ['a deleted file', lines(5), ''],
  ];
  for (const [name, from, to] of cases) {
    it(`${name}: the hunks GNU diff -u prints`, () => {
      assert.deepEqual(unifiedDiff('a', 'b', from, to).slice(2), gnuHunks(from, to));
    });
  }

  it('names the files as kubectl diff does, leaves managedFields out, and is empty without a change', () => {
    const info = resourceByKey('deployments.apps')!;
    assert.equal(diffFileName(info, 'default', 'web'), 'apps.v1.Deployment.default.web');
    assert.equal(diffFileName(resourceByKey('namespaces')!, undefined, 'x'), 'v1.Namespace..x');
    const live = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', managedFields: [{ manager: 'a' }] }, spec: { replicas: 1 } };
    assert.equal(planObjectDiff('f', live, { ...live, metadata: { name: 'web', managedFields: [{ manager: 'b' }] } }), '');
    assert.equal(
      planObjectDiff('f', live, { ...live, spec: { replicas: 2 } }),
      'diff -u -N LIVE/f MERGED/f\n--- LIVE/f\n+++ MERGED/f\n@@ -3,4 +3,4 @@\n metadata:\n   name: web\n spec:\n-  replicas: 1\n+  replicas: 2\n',
    );
  });
});
