// Reading /proc/self/mountinfo: which file systems are mounted where. Pure: every function takes
// the file's text, so tests give it lines and the kubelet (tmpfs secret volumes) and
// `kubelab lab` (the mounts a lab leaves behind) read the real file themselves.
//
// A mountinfo line, as proc(5) describes it:
//   36 35 98:0 /mnt1 /mnt/parent/mnt1 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
// Field 5 is the mount point, with spaces and other bytes written as octal escapes (\040); after
// the lone " - " come the file system type and its source.

export interface MountEntry {
  mountPoint: string;
  fsType: string;
}

const unescape = (field: string): string => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

export function parseMountInfo(mountinfo: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    const field = fields[4];
    if (!field) continue;
    const separator = fields.indexOf('-', 5);
    entries.push({ mountPoint: unescape(field), fsType: separator > 0 ? (fields[separator + 1] ?? '') : '' });
  }
  return entries;
}

/** Whether the last mount stacked on `dir` is a tmpfs (what a process reading `dir` sees). */
export function isTmpfsMountPoint(mountinfo: string, dir: string): boolean {
  const stacked = parseMountInfo(mountinfo).filter((e) => e.mountPoint === dir);
  return stacked.at(-1)?.fsType === 'tmpfs';
}

/**
 * Mount points below any of `prefixes` (or equal to one), deepest first so a parent is unmounted
 * after its children.
 */
export function planUnmounts(mountinfo: string, prefixes: string[]): string[] {
  const points = new Set<string>();
  for (const { mountPoint } of parseMountInfo(mountinfo)) {
    if (prefixes.some((prefix) => mountPoint === prefix || mountPoint.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`))) {
      points.add(mountPoint);
    }
  }
  return [...points].sort((a, b) => b.split('/').length - a.split('/').length || b.localeCompare(a));
}
