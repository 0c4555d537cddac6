import assert from 'node:assert/strict';
import { pickLogContainer } from '../../daemon/api/pod-log.js';
import type { Pod } from '../../lib/api/types.js';
import { ApiError } from '../../lib/errors.js';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p1', namespace: 'default' },
  spec: {
    initContainers: [{ name: 'init', image: 'kubelab/busybox:1' }],
    containers: [{ name: 'main', image: 'kubelab/busybox:1' }],
    ephemeralContainers: [{ name: 'debugger-abcde', image: 'kubelab/busybox:1' }],
  },
} as unknown as Pod;

describe('pickLogContainer', () => {
  const cases: Array<{ requested: string | undefined; want: string }> = [
    { requested: undefined, want: 'main' },
    { requested: 'main', want: 'main' },
    { requested: 'init', want: 'init' },
    // kubectl debug -i reads the debug container's log when it exited before kubectl attached.
    { requested: 'debugger-abcde', want: 'debugger-abcde' },
  ];
  for (const { requested, want } of cases) {
    it(`container=${requested ?? '(none)'} reads ${want}`, () => {
      assert.equal(pickLogContainer(pod, requested), want);
    });
  }

  it('refuses a container the pod does not have, in the API server words', () => {
    assert.throws(
      () => pickLogContainer(pod, 'nosuch'),
      (err: unknown) => err instanceof ApiError && err.code === 400 && err.message === 'container nosuch is not valid for pod p1',
    );
  });
});
