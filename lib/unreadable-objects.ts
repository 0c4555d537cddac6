// Poison objects: what a component does with an object whose fields it cannot work with.
//
// The API refuses wrong types today, but objects stored before it did (a Service with
// `ports: "80"`, Endpoints whose `addresses` is a string) are still in the store, and a watch can
// deliver anything a future bug lets through. A component that loops over many objects (the
// proxier over Services, the DNS index over Services and Endpoints, the scheduler over the pods
// on a node) must not let one such object stop the others: its planner checks or catches per
// object, leaves the object out, and reports it; the component then tells the user once per
// version of the object (an event on it, or a log line where no event can be written), not at
// every pass.

import { errorMessage } from './errors.js';
import type { KubeObject } from './api/types.js';

/** An object a planner left out, and why. */
export interface UnreadableObject<T extends KubeObject = KubeObject> {
  object: T;
  problem: string;
}

/**
 * Runs `step` for each object; an object for which `check` names a problem, or whose step throws,
 * is left out and listed in the result. `step` should build its output only after it cannot fail
 * any more (or into a per-object part the caller commits), so a half-done object leaves nothing.
 */
export function forEachReadable<T extends KubeObject>(objects: readonly T[], check: (object: T) => string | undefined, step: (object: T) => void): UnreadableObject<T>[] {
  const unreadable: UnreadableObject<T>[] = [];
  for (const object of objects) {
    try {
      const problem = check(object);
      if (problem) unreadable.push({ object, problem });
      else step(object);
    } catch (error) {
      unreadable.push({ object, problem: errorMessage(error) });
    }
  }
  return unreadable;
}

/** Remembers which version of which object was reported, so each version is reported once. */
export class ReportedOnce {
  private readonly reported = new Map<string, string | undefined>();
  constructor(private readonly limit = 10_000) {}

  /** True the first time this version of the object is seen (then false until it changes). */
  firstTime(object: KubeObject): boolean {
    const key = object.metadata?.uid ?? `${object.metadata?.namespace}/${object.metadata?.name}`;
    if (this.reported.has(key) && this.reported.get(key) === object.metadata?.resourceVersion) return false;
    if (this.reported.size >= this.limit) this.reported.clear();
    this.reported.set(key, object.metadata?.resourceVersion);
    return true;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** `spec.ports is not a list` for a present value of the wrong kind; undefined when absent or right. */
export function shapeProblem(path: string, value: unknown, want: 'object' | 'list' | 'string' | 'port'): string | undefined {
  if (value === undefined || value === null) return undefined;
  switch (want) {
    case 'object':
      return isObject(value) ? undefined : `${path} is not an object`;
    case 'list':
      return Array.isArray(value) ? undefined : `${path} is not a list`;
    case 'string':
      return typeof value === 'string' ? undefined : `${path} is not a string`;
    case 'port':
      return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535 ? undefined : `${path} is not a port number (1-65535)`;
  }
}

/** The first problem of a list of element checks: `ports[1].port is not a port number (1-65535)`. */
export function listProblem(path: string, value: unknown, element: (item: Record<string, unknown>, path: string) => string | undefined): string | undefined {
  const notList = shapeProblem(path, value, 'list');
  if (notList) return notList;
  for (const [i, item] of ((value as unknown[]) ?? []).entries()) {
    const problem = isObject(item) ? element(item, `${path}[${i}]`) : `${path}[${i}] is not an object`;
    if (problem) return problem;
  }
  return undefined;
}

/** Why a reader of Endpoints (the proxier, the DNS index) cannot read this object, or undefined. */
export function endpointsProblem(endpoints: KubeObject & { subsets?: unknown }): string | undefined {
  const address = (entry: Record<string, unknown>, path: string) =>
    (typeof entry.ip === 'string' ? undefined : `${path}.ip is not a string`) ?? shapeProblem(`${path}.hostname`, entry.hostname, 'string');
  return listProblem('subsets', endpoints.subsets, (subset, path) =>
    listProblem(`${path}.addresses`, subset.addresses, address) ??
    listProblem(`${path}.notReadyAddresses`, subset.notReadyAddresses, address) ??
    listProblem(`${path}.ports`, subset.ports, (port, portPath) =>
      (Number.isInteger(port.port) ? shapeProblem(`${portPath}.port`, port.port, 'port') : `${portPath}.port is not a port number (1-65535)`) ??
      shapeProblem(`${portPath}.name`, port.name, 'string') ??
      shapeProblem(`${portPath}.protocol`, port.protocol, 'string'),
    ),
  );
}
