// The ServiceAccount admission plugin, the kubelet's token request and the SA table row, as tables.
// covers: Pod spec.serviceAccountName, spec.serviceAccount, spec.automountServiceAccountToken
// covers: ServiceAccount automountServiceAccountToken, secrets
// covers: Pod spec.volumes.projected.sources.serviceAccountToken, spec.volumes.projected.sources.serviceAccountToken.audience, spec.volumes.projected.sources.serviceAccountToken.expirationSeconds, spec.volumes.projected.sources.serviceAccountToken.path

import assert from 'node:assert/strict';
import type { Pod } from '../../lib/api/types.js';
import type { ServiceAccount } from '../../lib/api/service-account-types.js';
import { admitPodServiceAccount, missingServiceAccountError, SERVICE_ACCOUNT_MOUNT_PATH } from '../../daemon/api/service-account-admission.js';
import { podTokenRequest } from '../../daemon/kubelet/service-account-tokens.js';
import { serviceAccountPrinter } from '../../lib/printers/core-printers.js';

const pod = (spec: Record<string, unknown> = {}): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } }) as Pod;
const account = (automount?: boolean): ServiceAccount => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' }, ...(automount === undefined ? {} : { automountServiceAccountToken: automount }) });

describe('ServiceAccount admission', () => {
  const cases: [string, Pod, ServiceAccount, boolean][] = [
    ['mounts by default', pod(), account(), true],
    ['the account says no', pod(), account(false), false],
    ['the pod says yes over the account', pod({ automountServiceAccountToken: true }), account(false), true],
    ['the pod says no', pod({ automountServiceAccountToken: false }), account(true), false],
  ];
  for (const [name, p, a, mounted] of cases) {
    it(name, () => {
      const admitted = admitPodServiceAccount(p, a, 'abcde');
      assert.equal(admitted.spec.volumes?.some((v) => v.name === 'kube-api-access-abcde') ?? false, mounted);
      assert.equal(admitted.spec.containers[0]!.volumeMounts?.some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH) ?? false, mounted);
    });
  }
  it('the deprecated serviceAccount names the account when serviceAccountName is empty', () => {
    assert.equal(admitPodServiceAccount(pod({ serviceAccount: 'robot' }), account(), 'abcde').spec.serviceAccountName, 'robot');
  });
  it('a missing account is refused in kube-apiserver words', () => {
    assert.equal(missingServiceAccountError(pod(), 'default', 'robot').message, 'pods "web" is forbidden: error looking up service account default/robot: serviceaccount "robot" not found');
  });
  it('the kubelet asks for a token bound to the pod with the source audience and lifetime', () => {
    assert.deepEqual(podTokenRequest(pod(), { audience: 'vault', expirationSeconds: 3607, }).spec, { audiences: ['vault'], expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'u1' } });
  });
  it('SECRETS counts the secret references', () => {
    assert.equal(serviceAccountPrinter.cells({ ...account(), secrets: [{ name: 's' }] }, new Date())[1], 1);
  });
});
