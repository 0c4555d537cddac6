// Secret volumes live in memory, never on the node's disk: the kubelet mounts a tmpfs for each
// secret volume of a pod (Kubernetes' secret plugin wraps an emptyDir with `medium: Memory`) and
// unmounts it when the pod goes. A file written to disk outlives its pod in the file system's
// free blocks, in backups and snapshots of the data dir, on a disk pulled from the machine; a
// tmpfs page is gone when it is unmounted (unless the machine swaps it out).
//
// The mount is in the kubelet's (the machine's) mount namespace; the engine bind-mounts the
// directory into the containers, as it does any host path. A lab's simulated hosts share the
// machine's mount namespace (only their network is separate: cli/lab/lab-mounts.ts), so there
// each host's engine sees its kubelet's tmpfs too. Mounting needs root (CAP_SYS_ADMIN), as the
// kubelet does.

import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { isTmpfsMountPoint, planUnmounts } from '../../lib/mount-points.js';

const execFileAsync = promisify(execFile);

/** The kubelet's view of the host's mount table, for memory-backed volumes. */
export interface TmpfsMounter {
  /**
   * Makes `dir` a fresh, empty tmpfs unless a tmpfs is already mounted there (a restarted kubelet
   * keeps the running pod's volume).
   */
  ensureTmpfs(dir: string): Promise<void>;
  /** Unmounts every mount at or below `dir`, deepest first; none is fine. */
  unmountAllUnder(dir: string): Promise<void>;
}

const readMountInfo = (): Promise<string> => fs.readFile('/proc/self/mountinfo', 'utf8');
const realPath = (dir: string): Promise<string> => fs.realpath(dir).catch(() => dir);

/**
 * Mount options: the root of the volume readable by every container user (the files keep the
 * modes the pod asked for); no device files or set-uid programs on it. No size limit: only the
 * kubelet writes there (the mounts are read-only in containers), at most a Secret's 1 MiB twice
 * during an update, and tmpfs takes memory only for what is written.
 */
const TMPFS_OPTIONS = 'mode=0755,nosuid,nodev';

export class HostTmpfsMounter implements TmpfsMounter {
  async ensureTmpfs(dir: string): Promise<void> {
    // The mount table holds real paths: a data dir reached through a symlink must be compared resolved.
    if (isTmpfsMountPoint(await readMountInfo(), await realPath(dir))) return;
    // Files an older kubelab wrote here stay under the mount, not removed: a container started
    // before the upgrade still reads them through its own bind mount. New containers see the
    // tmpfs; the old files go with the pod's directory when the pod goes.
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      await execFileAsync('mount', ['-t', 'tmpfs', '-o', TMPFS_OPTIONS, 'tmpfs', dir]);
    } catch (err) {
      const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
      throw new Error(
        `cannot mount a tmpfs on ${dir} for a secret volume (${stderr || (err as Error).message}): ` +
          'the kubelet keeps Secrets in memory only, and mounting needs root (CAP_SYS_ADMIN) and the mount program (util-linux)',
        { cause: err },
      );
    }
  }

  async unmountAllUnder(dir: string): Promise<void> {
    dir = await realPath(dir);
    for (let round = 0; round < 5; round++) {
      const points = planUnmounts(await readMountInfo(), [dir]);
      if (points.length === 0) return;
      for (const point of points) {
        // A container that still holds the mount makes it busy: detach it lazily, its memory is freed when the last user goes.
        await execFileAsync('umount', [point]).catch(() => execFileAsync('umount', ['-l', point]));
      }
    }
    const left = planUnmounts(await readMountInfo(), [dir]);
    if (left.length > 0) throw new Error(`these mounts under ${dir} would not go away: ${left.join(', ')}`);
  }
}
