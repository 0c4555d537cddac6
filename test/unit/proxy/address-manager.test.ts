// The real address manager, run only inside a network namespace this test creates: the host's
// own `lo` is never touched.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { IpCommandAddressManager } from '../../../network/proxy/address-manager.js';

const run = promisify(execFile);

describe('IpCommandAddressManager (in a private network namespace)', () => {
  const netns = `kl-test-${randomBytes(4).toString('hex')}`;
  let manager: IpCommandAddressManager;

  before(async () => {
    await run('ip', ['netns', 'add', netns]);
    await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    manager = new IpCommandAddressManager({ netns });
  });
  after(async () => {
    await run('ip', ['netns', 'del', netns]);
  });

  it('adds a /32 to lo idempotently, lists it, and removes it idempotently', async () => {
    await manager.ensureAddress('10.96.0.10');
    await manager.ensureAddress('10.96.0.10');
    assert.deepEqual(await manager.listAddresses(), ['10.96.0.10']);
    const { stdout } = await run('ip', ['-n', netns, '-o', '-4', 'addr', 'show', 'dev', 'lo']);
    assert.match(stdout, /inet 10\.96\.0\.10\/32 /);
    await manager.removeAddress('10.96.0.10');
    await manager.removeAddress('10.96.0.10');
    assert.deepEqual(await manager.listAddresses(), []);
  });

  it('says which command failed and why', async () => {
    const broken = new IpCommandAddressManager({ netns, device: 'no-such-device' });
    await assert.rejects(broken.ensureAddress('10.96.0.11'), /`ip -n kl-test-\w+ addr add 10\.96\.0\.11\/32 dev no-such-device` failed: .*(Cannot find device|does not exist)/);
  });
});
