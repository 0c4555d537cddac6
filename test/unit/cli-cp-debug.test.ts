// kubelab cp's and debug's pure parts: kubectl's `[NAMESPACE/]POD:PATH` syntax, where each member
// of a tar archive from the pod lands locally (never outside the destination), and the ephemeral
// container `kubelab debug` adds for its flags.

import assert from 'node:assert/strict';
import { localTargetOf, parseFileSpec } from '../../cli/commands/cp.js';
import { debugContainer, debuggerName } from '../../cli/commands/debug.js';

describe('kubelab cp: file specs', () => {
  const cases: [string, ReturnType<typeof parseFileSpec>][] = [
    ['/tmp/file', { path: '/tmp/file' }],
    ['web:/data/file', { pod: 'web', path: '/data/file' }],
    ['team/web:/data', { namespace: 'team', pod: 'web', path: '/data' }],
    ['web:', { pod: 'web', path: '' }],
  ];
  for (const [arg, want] of cases) it(arg, () => assert.deepEqual(parseFileSpec(arg), want));
  it('refuses an empty pod name', () => assert.throws(() => parseFileSpec(':/x'), /filespec must match the canonical format/));
});

describe('kubelab cp: where archive members land', () => {
  const cases: [string, string, string | undefined][] = [
    ['random.bin', 'random.bin', '/out/r.bin'],
    ['www/', 'www', '/out/r.bin'],
    ['www/index.html', 'www', '/out/r.bin/index.html'],
    ['www/../../etc/passwd', 'www', undefined],
    ['other/file', 'www', undefined],
  ];
  for (const [member, prefix, want] of cases) it(`${member} (prefix ${prefix})`, () => assert.equal(localTargetOf('/out/r.bin', member, prefix), want));
});

describe('kubelab debug: the ephemeral container it adds', () => {
  it('is named debugger-XXXXX by default, from kubectl\'s alphabet', () => assert.match(debuggerName(), /^debugger-[bcdfghjklmnpqrstvwxz2456789]{5}$/));
  it('carries the flags: image, stdin, tty, target, command', () => {
    assert.deepEqual(debugContainer({ pod: 'web', image: 'kubelab/busybox:1', stdin: true, tty: true, target: 'app', command: ['sh'] }, 'dbg'), {
      name: 'dbg', image: 'kubelab/busybox:1', command: ['sh'], stdin: true, tty: true, targetContainerName: 'app', terminationMessagePolicy: 'File',
    });
  });
});
