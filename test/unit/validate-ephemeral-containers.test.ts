// The rules for a pod's ephemeral containers (kubectl debug), as kube-apiserver validates them:
// only through pods/ephemeralcontainers, append-only, no ports/probes/resources/lifecycle, names
// unique across all of the pod's containers, targets that exist; never on create or in a template.
//
// covers: Pod spec.ephemeralContainers, spec.ephemeralContainers.name, spec.ephemeralContainers.image, spec.ephemeralContainers.restartPolicy
// covers: Pod spec.ephemeralContainers.resizePolicy.resourceName, spec.ephemeralContainers.resizePolicy.restartPolicy, spec.ephemeralContainers.volumeDevices.name, spec.ephemeralContainers.volumeDevices.devicePath

import assert from 'node:assert/strict';
import { applyDefaults } from '../../lib/api/defaults.js';
import type { KubeObject } from '../../lib/api/types.js';
import { validateObject } from '../../lib/api/validation.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

/** A running pod as stored (defaulted), with `ephemeral` as its ephemeral containers. */
function pod(ephemeral?: Obj[]): KubeObject {
  const obj: Obj = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' },
    spec: {
      containers: [{ name: 'app', image: 'kubelab/hello:v1' }],
      initContainers: [{ name: 'setup', image: 'kubelab/busybox:1' }],
      volumes: [{ name: 'data', emptyDir: {} }],
      ...(ephemeral ? { ephemeralContainers: ephemeral } : {}),
    },
  };
  applyDefaults('pods', obj);
  return obj;
}

const debuggerNamed = (name: string, extra: Obj = {}): Obj => ({ name, image: 'kubelab/busybox:1', stdin: true, tty: true, ...extra });

/** "field: message" lines of a write through pods/ephemeralcontainers from `before` to `after`. */
const throughSubresource = (before: KubeObject, after: KubeObject): string[] =>
  validateObject('pods', after, before, 'ephemeralcontainers').map((e) => `${e.field}: ${e.message}`);

describe('ephemeral containers: validation', () => {
  const cases: { name: string; before?: Obj[]; after: Obj[]; want: string[] }[] = [
    { name: 'the first one is added', after: [debuggerNamed('debugger-abcde')], want: [] },
    {
      name: 'with a target and a volume mount',
      after: [debuggerNamed('dbg', { targetContainerName: 'app', volumeMounts: [{ name: 'data', mountPath: '/data' }] })],
      want: [],
    },
    { name: 'a second one is added after the first', before: [debuggerNamed('one')], after: [debuggerNamed('one'), debuggerNamed('two')], want: [] },
    {
      name: 'an existing one may not be removed',
      before: [debuggerNamed('one')],
      after: [debuggerNamed('two')],
      want: ['spec.ephemeralContainers: Forbidden: existing ephemeral containers "one" may not be removed'],
    },
    {
      name: 'an existing one may not be changed',
      before: [debuggerNamed('one')],
      after: [debuggerNamed('one', { image: 'kubelab/hello:v1' })],
      want: ['spec.ephemeralContainers: Forbidden: existing ephemeral containers "one" may not be changed; changed: image'],
    },
    {
      name: 'ports, probes, lifecycle and resources are refused',
      after: [debuggerNamed('dbg', {
        ports: [{ containerPort: 80 }],
        readinessProbe: { tcpSocket: { port: 80 } },
        lifecycle: { preStop: { exec: { command: ['true'] } } },
        resources: { limits: { cpu: '1' } },
      })],
      want: [
        'spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container',
        'spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container',
        'spec.ephemeralContainers[0].lifecycle: Forbidden: cannot be set for an Ephemeral Container',
        'spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container',
      ],
    },
    {
      name: 'a restartPolicy is refused (it is never restarted)',
      after: [debuggerNamed('dbg', { restartPolicy: 'Always' })],
      want: [
        'spec.ephemeralContainers[0].restartPolicy: Forbidden: may not be set for non-init containers',
        'spec.ephemeralContainers[0].restartPolicy: Forbidden: cannot be set for an Ephemeral Container',
      ],
    },
    {
      name: 'resizePolicy and volumeDevices are refused (no in-place resize, no raw block volumes)',
      after: [debuggerNamed('dbg', { resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }], volumeDevices: [{ name: 'data', devicePath: '/dev/xvda' }] })],
      want: [
        'spec.ephemeralContainers[0].resizePolicy: Forbidden: cannot be set for an Ephemeral Container',
        'spec.ephemeralContainers[0].volumeDevices: Forbidden: cannot be set for an Ephemeral Container',
      ],
    },
    {
      name: 'a volume mount with a subPath is refused',
      after: [debuggerNamed('dbg', { volumeMounts: [{ name: 'data', mountPath: '/data', subPath: 'x' }] })],
      want: ['spec.ephemeralContainers[0].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container'],
    },
    {
      name: 'a name taken by an app, init or other ephemeral container is a duplicate',
      after: [debuggerNamed('app'), debuggerNamed('setup'), debuggerNamed('x'), debuggerNamed('x')],
      want: [
        'spec.ephemeralContainers[0].name: Duplicate value: "app"',
        'spec.ephemeralContainers[1].name: Duplicate value: "setup"',
        'spec.ephemeralContainers[3].name: Duplicate value: "x"',
      ],
    },
    {
      name: 'a target that is not one of the pod\'s containers',
      after: [debuggerNamed('dbg', { targetContainerName: 'nope' })],
      want: ['spec.ephemeralContainers[0].targetContainerName: Not found: "nope"'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(throughSubresource(pod(c.before), pod(c.after)), c.want);
    });
  }

  it('an ordinary pod update may not add or remove them', () => {
    const problems = validateObject('pods', pod([debuggerNamed('dbg')]), pod()).map((e) => `${e.field}: ${e.message}`);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^spec: Forbidden: pod updates may not change fields other than .*; changed: spec\.ephemeralContainers$/);
  });

  it('a new pod may not bring any', () => {
    const created = pod([debuggerNamed('dbg')]);
    assert.deepEqual(validateObject('pods', created).map((e) => `${e.field}: ${e.message}`), ['spec.ephemeralContainers: Forbidden: cannot be set on create']);
  });

  it('a pod template may not have any', () => {
    const deployment: Obj = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'kubelab/hello:v1' }], ephemeralContainers: [debuggerNamed('dbg')] } },
      },
    };
    applyDefaults('deployments.apps', deployment);
    assert.deepEqual(
      validateObject('deployments.apps', deployment).map((e) => `${e.field}: ${e.message}`),
      ['spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template'],
    );
  });
});
