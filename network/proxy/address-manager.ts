// Puts Service addresses on the host, so the kernel delivers their packets to the proxy.
//
// A ClusterIP is virtual: no machine owns 10.96.0.10. kube-proxy in iptables mode rewrites
// packets for it; kubelab's userspace proxy instead *listens* on it, which needs the address on
// some local interface. Adding it to `lo` as a /32 (`ip addr add 10.96.0.10/32 dev lo`) makes it
// local to this host only: it is not announced anywhere, and containers on the host reach it
// through their gateway (the host), where the proxy's listener answers. No iptables, no netfilter.
//
// The interface lets the proxier be tested with a recording fake; IpCommandAddressManager is the
// real one, running iproute2's `ip` (optionally inside a network namespace, `ip -n NAME`).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface AddressManager {
  /** Makes `ip` local (idempotent: an address already there is success). */
  ensureAddress(ip: string): Promise<void>;
  /** Removes `ip` (idempotent: an address not there is success). */
  removeAddress(ip: string): Promise<void>;
  /** The /32 addresses currently on the device. */
  listAddresses(): Promise<string[]>;
}

export interface IpCommandOptions {
  device?: string;
  /** Run inside this named network namespace (`ip -n NAME`); absent: the daemon's own. */
  netns?: string;
  ipBinary?: string;
}

export class IpCommandAddressManager implements AddressManager {
  private readonly device: string;
  private readonly prefixArgs: string[];
  private readonly ipBinary: string;

  constructor(options: IpCommandOptions = {}) {
    this.device = options.device ?? 'lo';
    this.prefixArgs = options.netns ? ['-n', options.netns] : [];
    this.ipBinary = options.ipBinary ?? 'ip';
  }

  async ensureAddress(ip: string): Promise<void> {
    await this.ip(['addr', 'add', `${ip}/32`, 'dev', this.device], /File exists|Address already assigned/);
  }

  async removeAddress(ip: string): Promise<void> {
    await this.ip(['addr', 'del', `${ip}/32`, 'dev', this.device], /Cannot assign requested address|Address not found/);
  }

  async listAddresses(): Promise<string[]> {
    const { stdout } = await this.ip(['-o', '-4', 'addr', 'show', 'dev', this.device]);
    return [...stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\/32 /g)].map((m) => m[1]);
  }

  /** Runs `ip ARGS`; a failure whose message matches `alreadyDone` is success (idempotence). */
  private async ip(args: string[], alreadyDone?: RegExp): Promise<{ stdout: string }> {
    const full = [...this.prefixArgs, ...args];
    try {
      return await run(this.ipBinary, full);
    } catch (err) {
      const stderr = String((err as { stderr?: unknown }).stderr ?? '');
      if (alreadyDone?.test(stderr)) return { stdout: '' };
      throw new Error(`\`${this.ipBinary} ${full.join(' ')}\` failed: ${stderr.trim() || (err as Error).message}`, { cause: err });
    }
  }
}
