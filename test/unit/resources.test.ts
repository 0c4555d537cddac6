import assert from 'node:assert/strict';
import { apiVersionOf, resolveResourceName, resourceByKey, resourceForKind, resourceKey } from '../../lib/api/resources.js';

describe('resources', () => {
  const cases: [string, string | undefined][] = [
    ['po', 'pods'],
    ['Pod', 'pods'],
    ['pods', 'pods'],
    ['deploy', 'deployments.apps'],
    ['deployment.apps', 'deployments.apps'],
    ['rc', 'replicationcontrollers'],
    ['svc', 'services'],
    ['no', 'nodes'],
    ['bogus', undefined],
  ];
  for (const [typed, key] of cases) {
    it(`resolves "${typed}" to ${key ?? 'nothing'}`, () => {
      const info = resolveResourceName(typed);
      assert.equal(info ? resourceKey(info) : undefined, key);
    });
  }

  it('maps kinds to resources by apiVersion', () => {
    assert.equal(resourceForKind('apps/v1', 'Deployment')?.plural, 'deployments');
    assert.equal(resourceForKind('v1', 'Deployment'), undefined);
    assert.equal(apiVersionOf(resourceByKey('replicasets.apps')!), 'apps/v1');
  });
});
