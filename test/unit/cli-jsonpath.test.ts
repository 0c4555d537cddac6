import assert from 'node:assert/strict';
import { parseJsonPath, printJsonPath } from '../../cli/printers/jsonpath.js';

describe('cli jsonpath', () => {
  const list = {
    kind: 'List',
    items: [
      { metadata: { name: 'a', labels: { 'app.kubernetes.io/name': 'web' } }, status: { phase: 'Running', podIP: '10.0.0.1' }, spec: { containers: [{ image: 'i1' }, { image: 'i2' }] } },
      { metadata: { name: 'b', labels: {} }, status: { phase: 'Pending' }, spec: { containers: [{ image: 'i3' }] } },
    ],
  };

  const cases: [string, unknown, string][] = [
    ['{.metadata.name}', list.items[0], 'a'],
    ['{.items[*].metadata.name}', list, 'a b'],
    ['{.items[0].spec.containers[*].image}', list, 'i1 i2'],
    ['{.items[-1].metadata.name}', list, 'b'],
    ["{.items[0].metadata.labels['app.kubernetes.io/name']}", list, 'web'],
    ['{.items[0].metadata.labels.app\\.kubernetes\\.io/name}', list, 'web'],
    ['{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}', list, 'a\tRunning\nb\tPending\n'],
    ['{.items[?(@.status.phase=="Running")].metadata.name}', list, 'a'],
    ['{.items[?(@.status.podIP)].metadata.name}', list, 'a'],
    ['name={.metadata.name}!', list.items[1], 'name=b!'],
    ['{.status.missing}', list.items[0], ''],
    ['{.status}', list.items[1], '{"phase":"Pending"}'],
    ['{$.kind}', list, 'List'],
  ];
  for (const [template, data, expected] of cases) {
    it(`${template} → ${JSON.stringify(expected)}`, () => assert.equal(printJsonPath(template, data), expected));
  }

  it('rejects templates it cannot evaluate, quoting them', () => {
    assert.throws(() => parseJsonPath('{.a'), /unclosed action/);
    assert.throws(() => parseJsonPath('{range .items[*]}{.a}'), /unclosed range/);
    assert.throws(() => parseJsonPath('{end}'), /nothing to end/);
    assert.throws(() => parseJsonPath('{.a[1:2:x]}'), /unsupported subscript/);
  });
});
