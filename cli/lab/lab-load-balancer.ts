// Runs the lab's API load balancer (haproxy-config.ts) on the machine, outside every host: a
// host's failure must not take the way into the cluster with it. HAProxy runs as the lab's own
// foreground process (-db), never as the system's haproxy service, with its config, pid file and
// log in the lab directory; `lab down` stops it by that pid.

import fs from 'node:fs';
import net from 'node:net';
import { CliError } from '../cli-errors.js';
import { logTail } from './host-engine.js';
import { isRunning } from './host-processes.js';
import { planHaproxyConfig } from './haproxy-config.js';
import type { LabLoadBalancerPlan, LabPlan } from './lab-plan.js';
import { sleep, spawnDetached } from './run-command.js';

/** Debian's haproxy, installed by scripts/setup.sh. */
export const HAPROXY_BINARY = '/usr/sbin/haproxy';

export function startLoadBalancer(plan: LabPlan): { pid: number; argv: string[]; logFile: string } {
  const lb = requireLoadBalancer(plan);
  fs.writeFileSync(lb.configFile, planHaproxyConfig(plan), { mode: 0o644 });
  // -db: stay in the foreground (no daemon, no master process), so the pid we get is HAProxy's.
  const argv = [HAPROXY_BINARY, '-db', '-f', lb.configFile];
  const pid = spawnDetached(argv, lb.logFile);
  fs.writeFileSync(lb.pidFile, `${pid}\n`);
  return { pid, argv, logFile: lb.logFile };
}

/** Waits until the balancer accepts connections on its address. */
export async function waitForLoadBalancer(plan: LabPlan, pid: number, timeoutMs: number): Promise<void> {
  const lb = requireLoadBalancer(plan);
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(lb.address, lb.port))) {
    if (!isRunning(pid)) throw new CliError(`haproxy exited while starting:\n${logTail(lb.logFile)}\n(config: ${lb.configFile})`);
    if (Date.now() > deadline) throw new CliError(`haproxy accepted no connection on ${lb.address}:${lb.port} within ${timeoutMs / 1000} s; see ${lb.logFile}`);
    await sleep(100);
  }
}

/**
 * Stops the lab's HAProxy: the pid from the pid file, and only if that process still runs this
 * lab's config (a pid may have been reused since). Idempotent; says whether it stopped one.
 */
export async function stopLoadBalancer(lb: Pick<LabLoadBalancerPlan, 'pidFile' | 'configFile'>): Promise<boolean> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(lb.pidFile, 'utf8').trim());
  } catch {
    return false;
  }
  if (!isRunning(pid) || !commandLineOf(pid).includes(lb.configFile)) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (isRunning(pid)) {
    if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
    await sleep(50);
  }
  return true;
}

function requireLoadBalancer(plan: LabPlan): LabLoadBalancerPlan {
  if (!plan.apiLoadBalancer) throw new Error(`lab ${plan.prefix} runs one server: it has no API load balancer`);
  return plan.apiLoadBalancer;
}

function commandLineOf(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
