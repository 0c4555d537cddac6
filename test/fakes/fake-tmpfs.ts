// A recording TmpfsMounter: "mounts" are remembered, not made, so unit tests need no root. Like
// the real one, a first mount shows an empty directory (what was on disk is hidden: here, gone).

import fs from 'node:fs/promises';
import type { TmpfsMounter } from '../../daemon/kubelet/tmpfs-mounter.js';

export class FakeTmpfs implements TmpfsMounter {
  readonly mounted = new Set<string>();
  /** `mount DIR` / `umount DIR`, in order, for the mounts actually made or removed. */
  readonly calls: string[] = [];

  async ensureTmpfs(dir: string): Promise<void> {
    if (this.mounted.has(dir)) return;
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true });
    this.mounted.add(dir);
    this.calls.push(`mount ${dir}`);
  }

  async unmountAllUnder(dir: string): Promise<void> {
    for (const point of [...this.mounted].sort().reverse()) {
      if (point !== dir && !point.startsWith(`${dir}/`)) continue;
      this.mounted.delete(point);
      this.calls.push(`umount ${point}`);
    }
  }
}
