import { REVIEW_SCHEMAS } from '../../lib/api/schemas/authorization.js';
import assert from 'node:assert/strict';
import { OBJECT_SCHEMAS } from '../../lib/api/protobuf-objects.js';
import { RESOURCES, resourceKey } from '../../lib/api/resources.js';
import { CONVERTED_VERSION_SCHEMAS, definitionsOf, KIND_SCHEMAS, kindSchemaForVersion, kindSchemaOf, REQUEST_ONLY_SCHEMAS } from '../../lib/api/schemas/index.js';
import { openApiComponents, typeSchema, validationSchema } from '../../lib/api/schemas/json-schema.js';
import { findUnknownFields } from '../../lib/api/schemas/known-fields.js';
import type { Definition, FieldType } from '../../lib/api/schemas/schema.js';
import { validateAgainstSchema } from '../../lib/api/schemas/validate.js';

const causes = (resource: string, obj: unknown) => validateAgainstSchema(resource, obj).map((e) => `${e.field}: ${e.message}`);
const allDefinitions = () => [...definitionsOf(Object.values(KIND_SCHEMAS).map((k) => k.definition)).values()];

/** A value of every field the type has, each of the right type: what a complete manifest looks like. */
function sample(type: FieldType, depth = 0): unknown {
  switch (type.type) {
    case 'string':
      return type.enum ? type.enum[type.enum.length - 1] : type.format === 'byte' ? 'eA==' : 'x';
    case 'boolean':
      return true;
    case 'number':
      return 1.5;
    case 'integer':
      return type.format === 'int32' ? 2_147_483_647 : 4_000_000_000;
    case 'int-or-string':
      return depth % 2 === 0 ? 8080 : 'http';
    case 'quantity':
      return '100m';
    case 'time':
      return '2026-01-01T00:00:00Z';
    case 'free':
      return { anything: { goes: [1] } };
    case 'list':
      return [sample(type.items, depth + 1)];
    case 'map':
      return { 'key.one': sample(type.values, depth + 1) };
    case 'object':
      return Object.fromEntries(Object.entries(type.of.fields).map(([name, field]) => [name, sample(field, depth + 1)]));
  }
}

describe('kind schemas (lib/api/schemas)', () => {
  describe('coverage', () => {
    for (const info of RESOURCES) {
      it(`${resourceKey(info)} (${info.kind}) has a schema of its group, version and kind`, () => {
        // A version served by conversion (autoscaling/v1 HPAs) has its own schema beside the stored one.
        const kind = kindSchemaForVersion(resourceKey(info), info.version);
        assert.ok(kind, `lib/api/schemas has no schema for ${resourceKey(info)}: add one (lib/api/schemas/README.md)`);
        assert.deepEqual([kind.group, kind.version, kind.kind], [info.group, info.version, info.kind]);
      });
    }

    it('schemas only for served kinds', () => {
      for (const resource of Object.keys(KIND_SCHEMAS)) assert.ok(RESOURCES.some((r) => resourceKey(r) === resource), resource);
    });

    it('every definition and field has a doc, and protobuf field numbers are unique per message', () => {
      for (const def of allDefinitions()) {
        assert.ok(def.doc.length > 10, `${def.name} has no doc`);
        // Numbers are per message: a field of an inline-embedded struct counts in its own (protoIn).
        const numbers = new Set<string>();
        for (const [name, field] of Object.entries(def.fields)) {
          assert.ok(field.doc.length > 5, `${def.name}.${name} has no doc`);
          if (field.proto === undefined) continue;
          const number = `${field.protoIn ?? ''}/${field.proto}`;
          assert.ok(!numbers.has(number), `${def.name}.${name}: field number ${number} used twice`);
          assert.ok(field.protoIn === undefined || !Object.values(def.fields).some((f) => f.proto === field.protoIn && f.protoIn === undefined), `${def.name}.${name}: embedded message ${field.protoIn} is also a field`);
          numbers.add(number);
        }
      }
    });
  });

  describe('a complete object built from each schema', () => {
    for (const [resource, kind] of Object.entries(KIND_SCHEMAS)) {
      it(`${resource}: passes the type check and has no unknown field`, () => {
        const obj = sample({ type: 'object', of: kind.definition });
        assert.deepEqual(causes(resource, obj), []);
        assert.deepEqual(findUnknownFields(resource, obj), []);
      });
    }
  });

  describe('wrong types, ranges and enum values → 422 causes as kube-apiserver words them', () => {
    const pod = (container: object, spec: object = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', ...container }], ...spec } });
    const template = (container: object) => ({ metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i', ...container }] } });
    const table: [string, string, unknown, string[]][] = [
      ['pods', 'ports as a string', pod({ ports: '80' }), ['spec.containers[0].ports: Invalid value: "string": spec.containers[0].ports in body must be of type array: "string"']],
      ['pods', 'env as a string', pod({ env: 'A=b' }), ['spec.containers[0].env: Invalid value: "string": spec.containers[0].env in body must be of type array: "string"']],
      ['pods', 'command as a string', pod({ command: 'sleep 1' }), ['spec.containers[0].command: Invalid value: "string": spec.containers[0].command in body must be of type array: "string"']],
      ['pods', 'args as a map', pod({ args: { a: 'b' } }), ['spec.containers[0].args: Invalid value: "object": spec.containers[0].args in body must be of type array: "object"']],
      ['pods', 'resources as a string', pod({ resources: 'big' }), ['spec.containers[0].resources: Invalid value: "string": spec.containers[0].resources in body must be of type object: "string"']],
      ['pods', 'a quantity that is neither string nor number', pod({ resources: { limits: { cpu: true } } }), ['spec.containers[0].resources.limits[cpu]: Invalid value: "boolean": spec.containers[0].resources.limits[cpu] in body must be of type string or number: "boolean"']],
      ['pods', 'containerPort as a string, in the second port', pod({ ports: [{ containerPort: 80 }, { containerPort: '81' }] }), ['spec.containers[0].ports[1].containerPort: Invalid value: "string": spec.containers[0].ports[1].containerPort in body must be of type integer: "string"']],
      ['pods', 'containerPort beyond int32', pod({ ports: [{ containerPort: 2_147_483_648 }] }), ['spec.containers[0].ports[0].containerPort: Invalid value: 2147483648: spec.containers[0].ports[0].containerPort in body should be less than or equal to 2147483647']],
      ['pods', 'an unknown imagePullPolicy', pod({ imagePullPolicy: 'Sometimes' }), ['spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"']],
      ['pods', 'a number where an enum string belongs: one cause', pod({ imagePullPolicy: 1 }), ['spec.containers[0].imagePullPolicy: Invalid value: "integer": spec.containers[0].imagePullPolicy in body must be of type string: "integer"']],
      ['pods', 'a container without a name', { spec: { containers: [{ image: 'i' }] } }, ['spec.containers[0].name: Required value']],
      ['pods', 'a volume without a name, a hostPath without a path', pod({}, { volumes: [{ hostPath: {} }] }), ['spec.volumes[0].name: Required value', 'spec.volumes[0].hostPath.path: Required value']],
      ['pods', 'terminationGracePeriodSeconds as a fraction (int64)', pod({}, { terminationGracePeriodSeconds: 1.5 }), ['spec.terminationGracePeriodSeconds: Invalid value: "number": spec.terminationGracePeriodSeconds in body must be of type integer: "number"']],
      ['pods', 'labels with a number value', { metadata: { labels: { a: 1 } } }, ['metadata.labels[a]: Invalid value: "integer": metadata.labels[a] in body must be of type string: "integer"']],
      ['pods', 'a long wrong value is named by its type, not echoed', { metadata: { name: ['x'.repeat(100)] } }, ['metadata.name: Invalid value: "array": metadata.name in body must be of type string: "array"']],
      ['pods', 'null counts as absent', { metadata: { creationTimestamp: null, labels: null }, spec: { containers: [{ name: 'c', ports: null }], nodeName: null } }, []],
      ['replicationcontrollers', 'RC selector as a list', { spec: { selector: ['app'] } }, ['spec.selector: Invalid value: "array": spec.selector in body must be of type object: "array"']],
      ['replicationcontrollers', 'RC replicas beyond int32', { spec: { replicas: 2_147_483_648 } }, ['spec.replicas: Invalid value: 2147483648: spec.replicas in body should be less than or equal to 2147483647']],
      ['replicationcontrollers', 'RC template env as a string', { spec: { template: template({ env: 'A=b' }) } }, ['spec.template.spec.containers[0].env: Invalid value: "string": spec.template.spec.containers[0].env in body must be of type array: "string"']],
      ['deployments.apps', 'Deployment replicas as a string', { spec: { replicas: 'three', selector: {}, template: {} } }, ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']],
      ['deployments.apps', 'Deployment without selector and template', { spec: { replicas: 1 } }, ['spec.selector: Required value', 'spec.template: Required value']],
      ['deployments.apps', 'Deployment strategy type unknown', { spec: { selector: {}, template: {}, strategy: { type: 'BlueGreen' } } }, ['spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"']],
      ['deployments.apps', 'maxSurge as a boolean (IntOrString)', { spec: { selector: {}, template: {}, strategy: { rollingUpdate: { maxSurge: true } } } }, ['spec.strategy.rollingUpdate.maxSurge: Invalid value: "boolean": spec.strategy.rollingUpdate.maxSurge in body must be of type integer or string: "boolean"']],
      ['replicasets.apps', 'ReplicaSet selector matchExpressions operator unknown', { spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } } }, ['spec.selector.matchExpressions[0].operator: Unsupported value: "Near": supported values: "DoesNotExist", "Exists", "In", "NotIn"']],
      ['services', 'Service port as a string', { spec: { ports: [{ port: '80' }] } }, ['spec.ports[0].port: Invalid value: "string": spec.ports[0].port in body must be of type integer: "string"']],
      ['services', 'Service type unknown', { spec: { type: 'Magic' } }, ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
      ['endpoints', 'Endpoints address without ip', { subsets: [{ addresses: [{ hostname: 'h' }] }] }, ['subsets[0].addresses[0].ip: Required value']],
      ['secrets', 'Secret data as a list', { data: ['a'] }, ['data: Invalid value: "array": data in body must be of type object: "array"']],
      ['secrets', 'Secret immutable as a string', { immutable: 'yes' }, ['immutable: Invalid value: "string": immutable in body must be of type boolean: "string"']],
      ['configmaps', 'ConfigMap data as a number', { data: 5 }, ['data: Invalid value: "integer": data in body must be of type object: "integer"']],
      ['configmaps', 'ConfigMap value as a number', { data: { a: 1 } }, ['data[a]: Invalid value: "integer": data[a] in body must be of type string: "integer"']],
      ['namespaces', 'Namespace finalizers as a string', { spec: { finalizers: 'kubernetes' } }, ['spec.finalizers: Invalid value: "string": spec.finalizers in body must be of type array: "string"']],
      ['nodes', 'Node taint without an effect', { spec: { taints: [{ key: 'k' }] } }, ['spec.taints[0].effect: Required value']],
      ['nodes', 'Node unschedulable as a string', { spec: { unschedulable: 'true' } }, ['spec.unschedulable: Invalid value: "string": spec.unschedulable in body must be of type boolean: "string"']],
      ['events', 'Event count as a string, no involvedObject', { count: '2' }, ['involvedObject: Required value', 'count: Invalid value: "string": count in body must be of type integer: "string"']],
    ];
    for (const [resource, what, obj, expected] of table) {
      it(`${resource}: ${what}`, () => assert.deepEqual(causes(resource, obj), expected));
    }

    it('a field path keeps a map key with dots and slashes whole', () => {
      assert.deepEqual(causes('pods', { metadata: { annotations: { 'example.com/a~b': false } } }), [
        'metadata.annotations[example.com/a~b]: Invalid value: "boolean": metadata.annotations[example.com/a~b] in body must be of type string: "boolean"',
      ]);
    });

    it('at most 50 causes, however many items are wrong', () => {
      assert.equal(validateAgainstSchema('configmaps', { data: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i])) }).length, 50);
    });

    it('kinds without a schema are not checked here', () => assert.deepEqual(causes('widgets.example.com', { spec: 5 }), []));
  });

  describe('generated JSON Schema', () => {
    it('validation dialect: null allowed as absent, int32 range, enum with null, refs into kubelab#/$defs', () => {
      assert.deepEqual(typeSchema({ type: 'integer', format: 'int32' }, 'validation'), { type: ['integer', 'null'], minimum: -2147483648, maximum: 2147483647 });
      assert.deepEqual(typeSchema({ type: 'string', enum: ['A', 'B'] }, 'validation'), { type: ['string', 'null'], enum: ['A', 'B', null] });
      const schema = validationSchema(allDefinitions()) as { $id: string; $defs: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
      assert.equal(schema.$id, 'kubelab');
      const container = schema.$defs['io.k8s.api.core.v1.Container'];
      assert.deepEqual(container.required, ['name']);
      assert.deepEqual(container.properties.ports, { type: ['array', 'null'], items: { $ref: 'kubelab#/$defs/io.k8s.api.core.v1.ContainerPort' } });
    });

    it('OpenAPI dialect: descriptions, allOf refs, named IntOrString/Quantity/Time, and the GVK kubectl explain looks up', () => {
      const kinds = [KIND_SCHEMAS['deployments.apps']];
      const components = openApiComponents(kinds, definitionsOf(kinds.map((k) => k.definition)).values()) as Record<string, { [key: string]: any }>;
      const deployment = components['io.k8s.api.apps.v1.Deployment'];
      assert.deepEqual(deployment['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
      assert.deepEqual(deployment.properties.spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }]);
      assert.match(deployment.properties.spec.description, /desired behavior/);
      const spec = components['io.k8s.api.apps.v1.DeploymentSpec'];
      assert.deepEqual(spec.required, ['selector', 'template']);
      assert.deepEqual(spec.properties.replicas, { type: 'integer', format: 'int32', description: spec.properties.replicas.description });
      assert.equal(components['io.k8s.api.apps.v1.RollingUpdateDeployment'].properties.maxSurge.$ref, '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString');
      assert.ok(components['io.k8s.api.core.v1.Container'], 'referenced definitions are in the document');
      assert.ok(components['io.k8s.apimachinery.pkg.apis.meta.v1.Time']);
    });

    it('definition names are unique: one name, one definition', () => {
      const names = allDefinitions().map((d: Definition) => d.name);
      assert.equal(new Set(names).size, names.length);
    });
  });

  describe('protobuf field numbers from the schemas', () => {
    it('every served kind is decodable, with generated.proto numbers', () => {
      assert.deepEqual(Object.keys(OBJECT_SCHEMAS).sort(), Object.values(KIND_SCHEMAS).concat(CONVERTED_VERSION_SCHEMAS, REQUEST_ONLY_SCHEMAS, REVIEW_SCHEMAS).map((k) => `${k.group ? `${k.group}/` : ''}${k.version}/${k.kind}`).sort());
      const secret = OBJECT_SCHEMAS['v1/Secret']!.fields;
      assert.deepEqual([secret[2]!.name, secret[2]!.type, secret[3]!.name, secret[4]!.type, secret[5]!.type], ['data', { map: 'bytes' }, 'type', { map: 'string' }, 'bool']);
      const meta = (secret[1]!.type as { fields: Record<number, { name: string; type: unknown; repeated?: boolean }> }).fields;
      assert.deepEqual([meta[1]!.name, meta[11]!.type, meta[13]!.repeated, meta[8]!.type], ['name', { map: 'string' }, true, 'time']);
    });

    it('a field of an inline-embedded Go struct travels in its message: Probe.exec is field 1 of ProbeHandler, field 1 of Probe', () => {
      const spec = OBJECT_SCHEMAS['v1/Pod']!.fields[2]!.type as { fields: Record<number, { name: string; type: { fields: Record<number, { name: string; type: unknown; inline?: boolean }> } }> };
      const container = spec.fields[2]!.type; // PodSpec.containers
      const probe = container.fields[10]!.type as unknown as { fields: Record<number, { name: string; inline?: boolean; type: { fields: Record<number, { name: string }> } }> }; // livenessProbe
      assert.equal(probe.fields[1]!.inline, true);
      assert.equal(probe.fields[1]!.type.fields[1]!.name, 'exec');
    });
  });
});
