// Every field in lib/api/schemas/unsupported-fields.ts is refused on create with a 422 cause that
// names it and says kubelab does not support it, in a Pod and in a pod template alike.

import assert from 'node:assert/strict';
import { UNSUPPORTED_FIELDS, unsupportedMessage } from '../../lib/api/schemas/unsupported-fields.js';
import type { KubeObject } from '../../lib/api/types.js';
import { validateObject } from '../../lib/api/validation.js';

const container = () => ({ name: 'c', image: 'hello:v1', resources: {} as Record<string, unknown> });
const pod = (spec: Record<string, unknown>, c = container()): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [c], ...spec } }) as KubeObject;
const job = (spec: Record<string, unknown>): KubeObject =>
  ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'default' },
    spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, manualSelector: true, template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'u' } }, spec: { restartPolicy: 'Never', containers: [container()] } }, ...spec },
  }) as KubeObject;

/** A value of the right type for each refused field, so only the refusal answers. */
const SAMPLE: Record<string, unknown> = {
  priorityClassName: 'high', priority: 1000, runtimeClassName: 'gvisor', overhead: { cpu: '100m' }, readinessGates: [{ conditionType: 'x/ready' }],
  ephemeralContainers: [{ name: 'debug', image: 'busybox' }], schedulingGates: [{ name: 'wait' }], resourceClaims: [{ name: 'gpu' }], resources: { limits: { cpu: '1' } },
  hostUsers: false, resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }], claims: [{ name: 'gpu' }],
  podFailurePolicy: { rules: [] }, successPolicy: { rules: [] }, backoffLimitPerIndex: 1, maxFailedIndexes: 1, managedBy: 'example.com/other',
};

describe('unsupported fields: refused with a 422 naming the field', () => {
  for (const entry of UNSUPPORTED_FIELDS) {
    const short = entry.definition.split('.').pop();
    it(`${short}.${entry.field}`, () => {
      const value = SAMPLE[entry.field];
      assert.notEqual(value, undefined, `add a sample value for ${entry.field} to this test`);
      let cases: [string, KubeObject, string][];
      if (short === 'PodSpec') cases = [['pods', pod({ [entry.field]: value }), `spec.${entry.field}`]];
      else if (short === 'Container') {
        cases = [['pods', pod({}, { ...container(), [entry.field]: value }), `spec.containers[0].${entry.field}`]];
      } else if (short === 'ResourceRequirements') cases = [['pods', pod({}, { ...container(), resources: { [entry.field]: value } }), `spec.containers[0].resources.${entry.field}`]];
      else cases = [['jobs.batch', job({ [entry.field]: value }), `spec.${entry.field}`]];
      for (const [resource, obj, path] of cases) {
        const errors = validateObject(resource, obj);
        const cause = errors.find((e) => e.field === path);
        assert.ok(cause, `${path} not refused: ${JSON.stringify(errors)}`);
        assert.equal(`${cause.field}: ${cause.message}`, `${path}: Forbidden: ${unsupportedMessage(entry)}`);
        assert.match(cause.message, /kubelab does not support this field/);
      }
    });
  }

  it('refuses inside a Deployment template too, with the template path', () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { priorityClassName: 'high', containers: [container()] } } },
    } as KubeObject;
    assert.deepEqual(
      validateObject('deployments.apps', deployment).map((e) => `${e.field}: ${e.message}`),
      ['spec.template.spec.priorityClassName: Forbidden: kubelab does not support this field (kubelab has no PriorityClasses and no preemption)'],
    );
  });

  it('a refused field that is null or absent is no error, nor a value kubelab gives anyway (priority 0)', () => {
    assert.deepEqual(validateObject('pods', pod({ priorityClassName: null })), []);
    assert.deepEqual(validateObject('pods', pod({ priority: 0 })), []);
  });
});
