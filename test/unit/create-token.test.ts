import assert from 'node:assert/strict';
import { tokenRequestFromFlags } from '../../cli/commands/create-token.js';
import { serviceAccountFromFlags } from '../../cli/commands/create-service-account.js';

describe('kubelab create token: the TokenRequest from flags', () => {
  const cases: { name: string; flags: Parameters<typeof tokenRequestFromFlags>[0]; spec?: object; error?: string }[] = [
    { name: 'no flags: the server picks audience and lifetime', flags: {}, spec: {} },
    { name: '--duration 10m', flags: { duration: '10m' }, spec: { expirationSeconds: 600 } },
    { name: '--duration 0 is the server default', flags: { duration: '0' }, spec: {} },
    { name: 'audiences', flags: { audience: ['vault', 'api'] }, spec: { audiences: ['vault', 'api'] } },
    { name: 'bound to a pod', flags: { boundObjectKind: 'Pod', boundObjectName: 'web' }, spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web' } } },
    { name: 'bound to a pod by uid', flags: { boundObjectKind: 'Pod', boundObjectName: 'web', boundObjectUid: 'u1' }, spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'u1' } } },
    { name: 'an empty audience', flags: { audience: [''] }, error: '--audience must not be an empty string' },
    { name: 'sub-second duration', flags: { duration: '1500ms' }, error: '--duration cannot be expressed in units less than seconds' },
    { name: 'kind without name', flags: { boundObjectKind: 'Pod' }, error: '--bound-object-name is required if --bound-object-kind is provided' },
    { name: 'name without kind', flags: { boundObjectName: 'web' }, error: '--bound-object-name can only be set if --bound-object-kind is provided' },
    { name: 'uid without kind', flags: { boundObjectUid: 'u1' }, error: '--bound-object-uid can only be set if --bound-object-kind is provided' },
    { name: 'an unknown kind', flags: { boundObjectKind: 'Deployment', boundObjectName: 'web' }, error: 'supported --bound-object-kind values are Node, Pod, Secret' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.error) return assert.throws(() => tokenRequestFromFlags(c.flags), { message: c.error });
      const request = tokenRequestFromFlags(c.flags);
      assert.equal(request.kind, 'TokenRequest');
      assert.equal(request.apiVersion, 'authentication.k8s.io/v1');
      assert.deepEqual(request.spec, c.spec);
    });
  }

  it('create serviceaccount builds what kubectl builds', () => {
    assert.deepEqual(serviceAccountFromFlags('robot'), { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'robot', creationTimestamp: null } });
  });
});
