// The mounts a lab leaves on the machine. The hosts' engines share the machine's mount
// namespace (only their network is separate), so every overlay a container runs on and every
// namespace bind mount of an engine shows up in /proc/self/mountinfo, under the lab's directory
// or an exec root in /run/kl<id>. Killed engines never unmount them: `lab kill` and `lab down` do.

import fs from 'node:fs';
import { planUnmounts } from '../../lib/mount-points.js';
import { runAllowingFailure } from './run-command.js';

export { planUnmounts };

/**
 * Unmounts everything below `prefixes`; a busy mount is detached lazily (umount -l). Repeats
 * while mounts remain, since one point can carry several stacked mounts.
 */
export async function unmountAllUnder(prefixes: string[]): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const points = planUnmounts(fs.readFileSync('/proc/self/mountinfo', 'utf8'), prefixes);
    if (points.length === 0) return;
    for (const point of points) {
      const result = await runAllowingFailure('umount', [point]);
      if (result.code !== 0) await runAllowingFailure('umount', ['-l', point]);
    }
  }
  const left = planUnmounts(fs.readFileSync('/proc/self/mountinfo', 'utf8'), prefixes);
  if (left.length > 0) throw new Error(`these mounts would not go away: ${left.join(', ')} (see "umount ${left[0]}")`);
}
