// Validation of spec.affinity and spec.topologySpreadConstraints, with kube-apiserver's paths and
// words, through the same validateObject the API server runs (types first, then the rules).

import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { validateObject } from '../../lib/api/validation.js';

const pod = (spec: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i:1' }], ...spec } }) as KubeObject;
const problems = (spec: Record<string, unknown>) => validateObject('pods', pod(spec)).map((e) => `${e.field}: ${e.message}`);
const required = (expr: object) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [expr] }] } } } });
const NA = 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]';
const anti = (term: object) => ({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } });
const PA = 'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]';
const spread = (c: object) => ({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', ...c }] });

describe('validation of affinity and topology spread', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['a valid required node affinity', required({ key: 'disktype', operator: 'In', values: ['ssd'] }), []],
    ['no node selector terms', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } }, [
      'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term',
    ]],
    ['In without values', required({ key: 'disktype', operator: 'In' }), [`${NA}.matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`]],
    ['Exists with values', required({ key: 'disktype', operator: 'Exists', values: ['x'] }), [`${NA}.matchExpressions[0].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`]],
    ['Gt with two values', required({ key: 'cores', operator: 'Gt', values: ['1', '2'] }), [`${NA}.matchExpressions[0].values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`]],
    ['an unknown operator (the schema)', required({ key: 'k', operator: 'Near', values: ['x'] }), [
      `${NA}.matchExpressions[0].operator: Unsupported value: "Near": supported values: "DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"`,
    ]],
    ['matchFields on another field', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.uid', operator: 'In', values: ['a'] }] }] } } } }, [
      `${NA}.matchFields[0].key: Unsupported value: "metadata.uid": supported values: "metadata.name"`,
    ]],
    ['a preferred weight of 0', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } }] } } }, [
      'spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100',
    ]],
    ['a pod affinity term without topologyKey (the schema requires it)', anti({ labelSelector: { matchLabels: { app: 'a' } } }), [`${PA}.topologyKey: Required value`]],
    ['an empty topologyKey', anti({ labelSelector: { matchLabels: { app: 'a' } }, topologyKey: '' }), [`${PA}.topologyKey: Required value: can not be empty`]],
    ['matchLabelKeys naming a selector key', anti({ labelSelector: { matchLabels: { app: 'a' } }, topologyKey: 'zone', matchLabelKeys: ['app'] }), [
      `${PA}.matchLabelKeys[0]: Invalid value: "app": exists in both matchLabelKeys and labelSelector`,
    ]],
    ['a valid spread constraint', spread({ labelSelector: { matchLabels: { app: 'a' } } }), []],
    ['maxSkew 0', spread({ maxSkew: 0 }), ['spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero']],
    ['minDomains with ScheduleAnyway', spread({ whenUnsatisfiable: 'ScheduleAnyway', minDomains: 2 }), [
      'spec.topologySpreadConstraints[0].minDomains: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway',
    ]],
    ['an unknown whenUnsatisfiable (the schema)', spread({ whenUnsatisfiable: 'Maybe' }), [
      'spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"',
    ]],
    ['the same key and policy twice', { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }, { maxSkew: 2, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }] }, [
      'spec.topologySpreadConstraints[1].{topologyKey, whenUnsatisfiable}: Duplicate value: "{zone, DoNotSchedule}"',
    ]],
    ['an unknown affinity field is no longer free (the type check)', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: 'x' } } } }, [
      'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Invalid value: "string": spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms in body must be of type array: "string"',
    ]],
  ];
  for (const [name, spec, expected] of cases) {
    it(name, () => assert.deepEqual(problems(spec), expected));
  }
});
