import assert from 'node:assert/strict';
import { validateFieldTypes } from '../../lib/api/field-schemas.js';
import { checkFieldTypes, int32, listOf, objectWith, stringMap, stringType } from '../../lib/api/field-types.js';

const causes = (errors: { field: string; message: string }[]) => errors.map((e) => `${e.field}: ${e.message}`);

describe('checkFieldTypes (a JSON Schema subset)', () => {
  const schema = objectWith({ spec: objectWith({ replicas: int32, ports: listOf(objectWith({ containerPort: int32 })), labels: stringMap, name: stringType }) });
  const table: [string, unknown, string[]][] = [
    ['absent and null fields pass', { spec: { replicas: null } }, []],
    ['right types pass', { spec: { replicas: 3, ports: [{ containerPort: 80 }], labels: { a: 'b' }, name: 'x', unknown: 1 } }, []],
    ['a string where a list belongs', { spec: { ports: '80' } }, ['spec.ports: Invalid value: "80": must be of type array']],
    ['an element of the wrong type, with its index', { spec: { ports: [{ containerPort: 80 }, { containerPort: '81' }] } }, ['spec.ports[1].containerPort: Invalid value: "81": must be of type integer']],
    ['a fraction where an integer belongs', { spec: { replicas: 1.5 } }, ['spec.replicas: Invalid value: 1.5: must be of type integer']],
    ['beyond int32', { spec: { replicas: 2_147_483_648 } }, ['spec.replicas: Invalid value: 2147483648: must be between -2147483648 and 2147483647']],
    ['a map value by key', { spec: { labels: { a: 1 } } }, ['spec.labels[a]: Invalid value: 1: must be of type string']],
    ['a long wrong value is named by its type, not echoed', { spec: { name: ['x'.repeat(100)] } }, ['spec.name: Invalid value: "array": must be of type string']],
  ];
  for (const [what, value, expected] of table) {
    it(what, () => assert.deepEqual(causes(checkFieldTypes(value, schema)), expected));
  }

  it('validateFieldTypes knows the kinds whose wrong types broke components', () => {
    assert.deepEqual(causes(validateFieldTypes('pods', { spec: { containers: [{ name: 'a', image: 'i', command: 'sleep 1' }] } })), [
      'spec.containers[0].command: Invalid value: "sleep 1": must be of type array',
    ]);
    assert.deepEqual(causes(validateFieldTypes('replicationcontrollers', { spec: { selector: ['app'] } })), ['spec.selector: Invalid value: ["app"]: must be of type object']);
    assert.deepEqual(causes(validateFieldTypes('namespaces', { metadata: { labels: 'x' } })), ['metadata.labels: Invalid value: "x": must be of type object']);
  });
});
