// Privilege-escalation prevention as table tests: Kubernetes' Covers (does one rule set hold
// another, atom by atom: group, resource, verb, resourceName, nonResourceURL, `*`), the compacted
// list of what is missing, and ConfirmNoEscalation's message in kube-apiserver's words.

import assert from 'node:assert/strict';
import type { PolicyRule } from '../../lib/api/rbac-types.js';
import { breakdownRule, covers } from '../../lib/rbac/covers.js';
import { compactRules, compactString, escalationRefusal } from '../../lib/rbac/escalation-refusal.js';
import { onlyGarbageCollectorFields } from '../../daemon/api/rbac-escalation.js';

const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

describe('RBAC privilege escalation: covers', () => {
  const cases: { name: string; owner: PolicyRule[]; wanted: PolicyRule[]; missing: PolicyRule[] }[] = [
    { name: 'the same rule', owner: [rule(['get', 'list'], [''], ['pods'])], wanted: [rule(['get', 'list'], [''], ['pods'])], missing: [] },
    { name: 'fewer verbs', owner: [rule(['get', 'list', 'watch'], [''], ['pods'])], wanted: [rule(['get'], [''], ['pods'])], missing: [] },
    { name: 'a verb more', owner: [rule(['get'], [''], ['pods'])], wanted: [rule(['get', 'delete'], [''], ['pods'])], missing: [rule(['delete'], [''], ['pods'])] },
    { name: 'spread over two owner rules', owner: [rule(['get'], [''], ['pods']), rule(['list'], [''], ['pods'])], wanted: [rule(['get', 'list'], [''], ['pods'])], missing: [] },
    { name: '* verbs, groups, resources cover anything', owner: [rule(['*'], ['*'], ['*'])], wanted: [rule(['escalate'], ['rbac.authorization.k8s.io'], ['roles']), rule(['get'], ['apps'], ['deployments/scale'], ['web'])], missing: [] },
    { name: 'only * covers *', owner: [rule(['get', 'list'], [''], ['pods'])], wanted: [rule(['*'], [''], ['pods'])], missing: [rule(['*'], [''], ['pods'])] },
    { name: 'another group', owner: [rule(['get'], [''], ['pods'])], wanted: [rule(['get'], ['apps'], ['pods'])], missing: [rule(['get'], ['apps'], ['pods'])] },
    { name: 'pods does not cover pods/log (literal match)', owner: [rule(['get'], [''], ['pods'])], wanted: [rule(['get'], [''], ['pods/log'])], missing: [rule(['get'], [''], ['pods/log'])] },
    { name: 'an owner without names covers any name', owner: [rule(['get'], [''], ['configmaps'])], wanted: [rule(['get'], [''], ['configmaps'], ['a', 'b'])], missing: [] },
    { name: 'an owner with names covers those names', owner: [rule(['get'], [''], ['configmaps'], ['a', 'b'])], wanted: [rule(['get'], [''], ['configmaps'], ['b'])], missing: [] },
    { name: 'and not the others, one atom per name', owner: [rule(['get'], [''], ['configmaps'], ['a'])], wanted: [rule(['get'], [''], ['configmaps'], ['a', 'c'])], missing: [rule(['get'], [''], ['configmaps'], ['c'])] },
    { name: 'an owner with names never covers every name', owner: [rule(['get'], [''], ['configmaps'], ['a'])], wanted: [rule(['get'], [''], ['configmaps'])], missing: [rule(['get'], [''], ['configmaps'])] },
    { name: 'a URL', owner: [urls(['get'], ['/healthz'])], wanted: [urls(['get'], ['/healthz'])], missing: [] },
    { name: 'a URL prefix with *', owner: [urls(['get'], ['/apis/*'])], wanted: [urls(['get'], ['/apis/apps', '/apis'])], missing: [urls(['get'], ['/apis'])] },
    { name: '* covers every URL', owner: [urls(['*'], ['*'])], wanted: [urls(['get', 'post'], ['/metrics'])], missing: [] },
    { name: 'resource rules never cover URLs', owner: [rule(['*'], ['*'], ['*'])], wanted: [urls(['get'], ['/metrics'])], missing: [urls(['get'], ['/metrics'])] },
    { name: 'URL rules never cover resources', owner: [urls(['*'], ['*'])], wanted: [rule(['get'], [''], ['pods'])], missing: [rule(['get'], [''], ['pods'])] },
    { name: 'nothing held', owner: [], wanted: [rule(['get'], [''], ['secrets'])], missing: [rule(['get'], [''], ['secrets'])] },
    { name: 'nothing wanted', owner: [], wanted: [], missing: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const answer = covers(c.owner, c.wanted);
      assert.deepEqual(answer.missing, c.missing);
      assert.equal(answer.covered, c.missing.length === 0);
    });
  }

  it('breaks a rule down to one group, resource, verb and name per atom', () => {
    assert.deepEqual(breakdownRule(rule(['get', 'list'], ['', 'apps'], ['pods'])), [
      rule(['get'], [''], ['pods']),
      rule(['list'], [''], ['pods']),
      rule(['get'], ['apps'], ['pods']),
      rule(['list'], ['apps'], ['pods']),
    ]);
    assert.deepEqual(breakdownRule({ verbs: ['get'], nonResourceURLs: ['/a', '/b'] }), [urls(['get'], ['/a']), urls(['get'], ['/b'])]);
  });
});

describe('RBAC privilege escalation: the refusal', () => {
  it('prints a rule as Go does (%q lists), only the fields that are set', () => {
    assert.equal(compactString(rule(['get', 'list'], [''], ['secrets'])), '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}');
    assert.equal(compactString(rule(['get'], [''], ['configmaps'], ['a'])), '{APIGroups:[""], Resources:["configmaps"], ResourceNames:["a"], Verbs:["get"]}');
    assert.equal(compactString(urls(['get'], ['/metrics'])), '{NonResourceURLs:["/metrics"], Verbs:["get"]}');
  });

  it('compacts atoms of one group and resource that differ only by verb', () => {
    assert.deepEqual(compactRules([rule(['get'], [''], ['pods']), rule(['get'], [''], ['pods'], ['a']), rule(['list'], [''], ['pods']), rule(['get'], ['apps'], ['pods'])]), [
      rule(['get'], [''], ['pods'], ['a']),
      rule(['get', 'list'], [''], ['pods']),
      rule(['get'], ['apps'], ['pods']),
    ]);
  });

  it("is ConfirmNoEscalation's message: the user, the groups, the missing rules sorted", () => {
    const held = [rule(['get', 'list'], [''], ['pods'])];
    const wanted = [rule(['get', 'list', 'delete'], [''], ['pods', 'secrets']), urls(['get'], ['/metrics'])];
    assert.equal(
      escalationRefusal({ name: 'alice', groups: ['dev', 'system:authenticated'] }, held, wanted),
      'user "alice" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n' +
        '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list" "delete"]}\n' +
        '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
    );
    assert.equal(escalationRefusal({ name: 'alice', groups: [] }, held, [rule(['get'], [''], ['pods'])]), undefined);
  });

  it('an update that changes only ownerReferences or finalizers is not judged', () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'default', resourceVersion: '4' }, rules: [rule(['get'], [''], ['pods'])] };
    const gc = { ...role, metadata: { ...role.metadata, resourceVersion: '5', finalizers: ['x'], ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'u' }] } };
    assert.equal(onlyGarbageCollectorFields(gc, role), true);
    assert.equal(onlyGarbageCollectorFields({ ...role, rules: [rule(['*'], ['*'], ['*'])] }, role), false);
    assert.equal(onlyGarbageCollectorFields({ ...role, metadata: { ...role.metadata, labels: { a: 'b' } } }, role), false);
  });
});
