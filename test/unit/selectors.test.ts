import assert from 'node:assert/strict';
import { ApiError } from '../../lib/errors.js';
import {
  compileSelectors,
  fieldValue,
  labelSelectorToString,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  requirementsFromLabelSelector,
  requirementsFromMap,
  type LabelRequirement,
} from '../../lib/api/selectors.js';
import type { KubeObject } from '../../lib/api/types.js';

describe('label selectors', () => {
  describe('parseLabelSelector', () => {
    const cases: [string, LabelRequirement[]][] = [
      ['', []],
      ['   ', []],
      ['app=web', [{ key: 'app', operator: 'Equals', values: ['web'] }]],
      ['app==web', [{ key: 'app', operator: 'Equals', values: ['web'] }]],
      ['app!=web', [{ key: 'app', operator: 'NotEquals', values: ['web'] }]],
      ['app=', [{ key: 'app', operator: 'Equals', values: [''] }]],
      [' app = web , tier != db ', [
        { key: 'app', operator: 'Equals', values: ['web'] },
        { key: 'tier', operator: 'NotEquals', values: ['db'] },
      ]],
      ['env in (prod,staging)', [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }]],
      ['env in ( prod , staging )', [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }]],
      ['env notin (dev)', [{ key: 'env', operator: 'NotIn', values: ['dev'] }]],
      ['env in (a,)', [{ key: 'env', operator: 'In', values: ['a', ''] }]],
      ['env in (a,a)', [{ key: 'env', operator: 'In', values: ['a'] }]],
      ['canary', [{ key: 'canary', operator: 'Exists', values: [] }]],
      ['!canary', [{ key: 'canary', operator: 'DoesNotExist', values: [] }]],
      ['! canary', [{ key: 'canary', operator: 'DoesNotExist', values: [] }]],
      ['app in (web,x),tier=fe,!canary', [
        { key: 'app', operator: 'In', values: ['web', 'x'] },
        { key: 'tier', operator: 'Equals', values: ['fe'] },
        { key: 'canary', operator: 'DoesNotExist', values: [] },
      ]],
      ['example.com/role=db', [{ key: 'example.com/role', operator: 'Equals', values: ['db'] }]],
      ['app=in', [{ key: 'app', operator: 'Equals', values: ['in'] }]],
    ];
    for (const [text, expected] of cases) {
      it(`parses ${JSON.stringify(text)}`, () => assert.deepEqual(parseLabelSelector(text), expected));
    }

    const bad: [string, RegExp][] = [
      ['app=web,', /found '', expected: identifier/],
      [',app', /found ',', expected: identifier/],
      ['app in (a', /found '', expected: ',' or '\)'/],
      ['app in a', /found 'a', expected: '\('/],
      ['app in ()', /values set can't be empty/],
      ['app web', /found 'web', expected: '=', '!=', '==', 'in', 'notin'/],
      ['app=a=b', /found '=', expected: ','/],
      ['Bad Key!=x', /found 'Key'/],
      ['bad_-/x=y', /prefix part a lowercase RFC 1123 subdomain/],
      ['-app=web', /key: Invalid value: "-app": name part must consist of alphanumeric/],
      ['app=-web', /values\[0\]\[app\]: Invalid value: "-web": a valid label must be an empty string/],
      [`app=${'x'.repeat(64)}`, /must be no more than 63 characters/],
      ['replicas>2', /not supported/],
    ];
    for (const [text, message] of bad) {
      it(`rejects ${JSON.stringify(text)} with a 400 naming the problem`, () => {
        assert.throws(() => parseLabelSelector(text), (e: unknown) => {
          assert.ok(e instanceof ApiError);
          assert.equal(e.code, 400);
          assert.equal(e.reason, 'BadRequest');
          assert.match(e.message, /^unable to parse requirement: /);
          assert.match(e.message, message);
          return true;
        });
      });
    }
  });

  describe('matchesLabels', () => {
    const labels = { app: 'web', tier: 'fe', empty: '' };
    const cases: [string, Record<string, string> | undefined, boolean][] = [
      ['app=web', labels, true],
      ['app=db', labels, false],
      ['app!=db', labels, true],
      ['app!=web', labels, false],
      ['missing!=x', labels, true],
      ['missing=x', labels, false],
      ['empty=', labels, true],
      ['missing=', labels, false],
      ['app in (web,db)', labels, true],
      ['app in (db)', labels, false],
      ['app notin (db)', labels, true],
      ['missing notin (db)', labels, true],
      ['app', labels, true],
      ['missing', labels, false],
      ['!missing', labels, true],
      ['!app', labels, false],
      ['app=web,tier=fe', labels, true],
      ['app=web,tier=be', labels, false],
      ['', undefined, true],
      ['app', undefined, false],
      ['!app', undefined, true],
    ];
    for (const [selector, set, expected] of cases) {
      it(`${JSON.stringify(selector)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(set)}`, () => {
        assert.equal(matchesLabels(parseLabelSelector(selector), set), expected);
      });
    }
  });

  describe('structured selectors', () => {
    it('treats an absent or empty LabelSelector as "everything"', () => {
      assert.deepEqual(requirementsFromLabelSelector(undefined), []);
      assert.deepEqual(requirementsFromLabelSelector({}), []);
      assert.equal(matchesLabels(requirementsFromLabelSelector({}), { any: 'thing' }), true);
    });

    it('ANDs matchLabels and matchExpressions', () => {
      const reqs = requirementsFromLabelSelector({
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }, { key: 'canary', operator: 'DoesNotExist' }],
      });
      assert.equal(matchesLabels(reqs, { app: 'web', tier: 'be' }), true);
      assert.equal(matchesLabels(reqs, { app: 'web', tier: 'db' }), false);
      assert.equal(matchesLabels(reqs, { app: 'web', tier: 'fe', canary: 'yes' }), false);
    });

    it('turns an RC selector map into equality requirements sorted by key', () => {
      assert.deepEqual(requirementsFromMap({ tier: 'fe', app: 'web' }), [
        { key: 'app', operator: 'Equals', values: ['web'] },
        { key: 'tier', operator: 'Equals', values: ['fe'] },
      ]);
      assert.deepEqual(requirementsFromMap(undefined), []);
    });

    const printed: [Parameters<typeof labelSelectorToString>[0], string][] = [
      [{ app: 'web' }, 'app=web'],
      [{ tier: 'fe', app: 'web' }, 'app=web,tier=fe'],
      [{ matchLabels: { app: 'nginx' } }, 'app=nginx'],
      [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] }, 'app=web,tier in (a,b)'],
      [{ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }, { key: 'canary', operator: 'DoesNotExist' }, { key: 'beta', operator: 'Exists' }] }, 'beta,!canary,env notin (dev)'],
      [{}, ''],
    ];
    for (const [selector, text] of printed) {
      it(`prints ${JSON.stringify(selector)} as ${JSON.stringify(text)}`, () => {
        assert.equal(labelSelectorToString(selector), text);
        // What kubectl prints must parse back to the same meaning.
        const back = parseLabelSelector(text);
        assert.equal(back.length, text === '' ? 0 : text.split(/,(?![^(]*\))/).length);
      });
    }
  });
});

describe('field selectors', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: { containers: [] },
    status: { phase: 'Running' },
  };
  const scheduled: KubeObject = { ...pod, metadata: { name: 'db', namespace: 'prod' }, spec: { nodeName: 'node-1' }, status: { phase: 'Succeeded' } };
  const event: KubeObject = {
    metadata: { name: 'web.1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'u1' },
    type: 'Warning',
    reason: 'BackOff',
    source: { component: 'kubelet', host: 'node-1' },
  };
  const node: KubeObject = { metadata: { name: 'node-1' }, spec: { unschedulable: true } };

  it('parses =, == and != with escapes', () => {
    assert.deepEqual(parseFieldSelector('metadata.name=web,status.phase!=Succeeded,spec.nodeName==n1'), [
      { field: 'metadata.name', operator: '=', value: 'web' },
      { field: 'status.phase', operator: '!=', value: 'Succeeded' },
      { field: 'spec.nodeName', operator: '=', value: 'n1' },
    ]);
    assert.deepEqual(parseFieldSelector('spec.nodeName='), [{ field: 'spec.nodeName', operator: '=', value: '' }]);
    assert.deepEqual(parseFieldSelector('metadata.name=a\\,b'), [{ field: 'metadata.name', operator: '=', value: 'a,b' }]);
    assert.deepEqual(parseFieldSelector(''), []);
  });

  for (const text of ['metadata.name', '=web', 'a=b,junk']) {
    it(`rejects ${JSON.stringify(text)} with a 400`, () => {
      assert.throws(() => parseFieldSelector(text), (e: unknown) => e instanceof ApiError && e.code === 400 && /invalid field selector/.test(e.message));
    });
  }

  const values: [KubeObject, string, string][] = [
    [pod, 'metadata.name', 'web'],
    [pod, 'metadata.namespace', 'default'],
    [pod, 'spec.nodeName', ''],
    [scheduled, 'spec.nodeName', 'node-1'],
    [pod, 'status.phase', 'Running'],
    [event, 'involvedObject.kind', 'Pod'],
    [event, 'involvedObject.uid', 'u1'],
    [event, 'type', 'Warning'],
    [event, 'reason', 'BackOff'],
    [event, 'source', 'kubelet'],
    [node, 'spec.unschedulable', 'true'],
    [node, 'metadata.namespace', ''],
    [node, 'spec', ''],
    [node, 'no.such.path', ''],
  ];
  for (const [obj, field, value] of values) {
    it(`reads ${field} of ${obj.metadata.name} as ${JSON.stringify(value)}`, () => assert.equal(fieldValue(obj, field), value));
  }

  const matches: [string, KubeObject, boolean][] = [
    ['spec.nodeName=', pod, true],
    ['spec.nodeName=', scheduled, false],
    ['spec.nodeName=node-1', scheduled, true],
    ['status.phase!=Succeeded', pod, true],
    ['status.phase!=Succeeded', scheduled, false],
    ['metadata.name=web,metadata.namespace=default', pod, true],
    ['metadata.name=web,metadata.namespace=prod', pod, false],
    ['involvedObject.name=web,involvedObject.namespace=default', event, true],
  ];
  for (const [selector, obj, expected] of matches) {
    it(`${selector} ${expected ? 'matches' : 'does not match'} ${obj.metadata.name}`, () => {
      assert.equal(matchesFields(parseFieldSelector(selector), obj), expected);
    });
  }

  it('compileSelectors combines label and field selectors', () => {
    const labelled = { ...pod, metadata: { ...pod.metadata, labels: { app: 'web' } } };
    assert.equal(compileSelectors({})(pod), true);
    assert.equal(compileSelectors({ labelSelector: 'app=web', fieldSelector: 'status.phase=Running' })(labelled), true);
    assert.equal(compileSelectors({ labelSelector: 'app=web', fieldSelector: 'status.phase=Pending' })(labelled), false);
    assert.equal(compileSelectors({ labelSelector: 'app=web' })(pod), false);
    assert.throws(() => compileSelectors({ labelSelector: 'app in (' }), ApiError);
    assert.throws(() => compileSelectors({ fieldSelector: 'nonsense' }), ApiError);
  });
});
