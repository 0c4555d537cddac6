// DIR/lab.json: the lab's intent log. `lab up` writes the whole plan (every name it is about to
// make) before it makes the first thing, and adds each process's pid and command line as it
// starts it. So `lab down` after a crash knows what may exist, and `lab restart NODE` starts a
// host's engine and kubelabd again with exactly the flags they had.
//
// `lab down` does not depend on this file alone: it also finds the lab's pieces by their name
// prefix (lab-plan.ts), so a missing or half-written lab.json still leaves nothing behind.

import fs from 'node:fs';
import path from 'node:path';
import type { LabPlan } from './lab-plan.js';

export const LAB_STATE_FILE = 'lab.json';

/** How a process of one host was started, to start it again the same way. */
export interface LabProcess {
  pid: number;
  argv: string[];
  logFile: string;
}

export interface LabHostProcesses {
  dockerd?: LabProcess;
  /** The host's etcd member, on server hosts of a lab with several servers. */
  etcd?: LabProcess;
  kubelabd?: LabProcess;
}

export interface LabState {
  /** `building` until every node is Ready; a failed `up` leaves it so, for `down` to clean. */
  phase: 'building' | 'up';
  createdAt: string;
  plan: LabPlan;
  /** The images copied into every host's engine. */
  images: string[];
  /** Per host name. */
  processes: Record<string, LabHostProcesses>;
  /** HAProxy on the machine, with several servers (plan.apiLoadBalancer). */
  loadBalancer?: LabProcess;
}

export function labStatePath(dir: string): string {
  return path.join(dir, LAB_STATE_FILE);
}

/** The lab's state, or undefined when DIR holds none. A file cut short by a crash reads as none. */
export function readLabState(dir: string): LabState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(labStatePath(dir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as LabState;
  } catch {
    return undefined;
  }
}

/** Writes atomically (temp file + rename), so a crash never leaves half a JSON document. */
export function writeLabState(state: LabState): void {
  const file = labStatePath(state.plan.dir);
  const temp = `${file}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(temp, file);
}

export function recordProcess(state: LabState, host: string, kind: keyof LabHostProcesses, process: LabProcess): void {
  state.processes[host] = { ...state.processes[host], [kind]: process };
  writeLabState(state);
}
