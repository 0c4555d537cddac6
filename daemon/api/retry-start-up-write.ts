// Start-up writes that several API servers make at once on one etcd (the system namespaces, the
// default StorageClass, the bootstrap RBAC policy, the kubernetes Service): each reads, decides
// and writes, and another server may write in between. kube-apiserver's post-start hooks retry
// such races (retry.RetryOnConflict); so does this: a Conflict, AlreadyExists or NotFound means
// "another server got there first", and the read-decide-write step runs again on what it wrote.

import { errorMessage, isAlreadyExists, isConflict, isNotFound } from '../../lib/errors.js';

/** Attempts before a start-up write gives up: each failure means another server just wrote the same object. */
export const START_UP_WRITE_ATTEMPTS = 5;

export const isStartUpRace = (err: unknown): boolean => isConflict(err) || isAlreadyExists(err) || isNotFound(err);

/** Runs `step` (read, decide, write) until it passes a race with another server, at most START_UP_WRITE_ATTEMPTS times. */
export async function retryStartUpWrite(what: string, step: () => Promise<void>, attempts = START_UP_WRITE_ATTEMPTS): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (!isStartUpRace(err)) throw err;
      if (attempt >= attempts) throw new Error(`writing ${what} at start-up lost ${attempts} races with other servers in a row: ${errorMessage(err)}`, { cause: err });
    }
  }
}
