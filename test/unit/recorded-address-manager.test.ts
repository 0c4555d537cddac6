import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressManager } from '../../network/proxy/address-manager.js';
import { RecordedAddressManager } from '../../network/proxy/recorded-address-manager.js';

/** A device's addresses in memory. */
class FakeDevice implements AddressManager {
  readonly addresses = new Set<string>();
  async ensureAddress(ip: string) {
    this.addresses.add(ip);
  }
  async removeAddress(ip: string) {
    this.addresses.delete(ip);
  }
  async listAddresses() {
    return [...this.addresses];
  }
}

describe('RecordedAddressManager', () => {
  let dir: string;
  beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-addr-'))));
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('removes at the next start what a killed run added, and nothing else', async () => {
    const device = new FakeDevice();
    device.addresses.add('10.0.0.99'); // someone else's
    const file = path.join(dir, 'proxy-addresses.json');
    const first = new RecordedAddressManager(device, file);
    assert.deepEqual(await first.removeLeftovers(), []);
    await first.ensureAddress('10.96.0.1');
    await first.ensureAddress('10.96.0.2');
    await first.removeAddress('10.96.0.2');
    // The first run dies here without cleaning up.
    const second = new RecordedAddressManager(device, file);
    assert.deepEqual(await second.removeLeftovers(), ['10.96.0.1']);
    assert.deepEqual([...device.addresses], ['10.0.0.99']);
    assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')), { addresses: [] });
  });

  it('uses an address someone else put there but never removes it', async () => {
    const device = new FakeDevice();
    device.addresses.add('10.96.0.1');
    const manager = new RecordedAddressManager(device, path.join(dir, 'proxy-addresses.json'));
    await manager.removeLeftovers();
    await manager.ensureAddress('10.96.0.1');
    await manager.removeAddress('10.96.0.1');
    assert.deepEqual([...device.addresses], ['10.96.0.1']);
  });
});
