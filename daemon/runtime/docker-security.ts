// ContainerSecurity in Docker's words: the part of a container's create request that carries
// its user and its confinement. Kept apart from docker-runtime.ts so it can be table-tested.
//
//   user                    → Config.User (`1000`, `1000:3000`)
//   groupAdd                → HostConfig.GroupAdd (supplementary groups)
//   readOnlyRootFilesystem  → HostConfig.ReadonlyRootfs (volumes and /dev/termination-log stay writable)
//   privileged              → HostConfig.Privileged (every capability, every device)
//   capAdd / capDrop        → HostConfig.CapAdd / CapDrop
//   noNewPrivileges         → SecurityOpt `no-new-privileges`
//   seccomp / appArmor      → SecurityOpt `seccomp=unconfined`, `apparmor=unconfined`

import type { ContainerSecurity } from './container-runtime.js';

export interface DockerSecurityFields {
  User?: string;
  HostConfig: {
    GroupAdd?: string[];
    ReadonlyRootfs?: boolean;
    Privileged?: boolean;
    CapAdd?: string[];
    CapDrop?: string[];
    SecurityOpt?: string[];
  };
}

export function dockerSecurityFields(security: ContainerSecurity | undefined): DockerSecurityFields {
  const fields: DockerSecurityFields = { HostConfig: {} };
  if (!security) return fields;
  const host = fields.HostConfig;
  if (security.user) fields.User = security.user;
  if (security.groupAdd?.length) host.GroupAdd = security.groupAdd.map(String);
  if (security.readOnlyRootFilesystem) host.ReadonlyRootfs = true;
  if (security.privileged) host.Privileged = true;
  if (security.capAdd?.length) host.CapAdd = [...security.capAdd];
  if (security.capDrop?.length) host.CapDrop = [...security.capDrop];
  const options: string[] = [];
  if (security.noNewPrivileges) options.push('no-new-privileges');
  if (security.seccomp === 'unconfined') options.push('seccomp=unconfined');
  if (security.appArmor === 'unconfined') options.push('apparmor=unconfined');
  if (options.length) host.SecurityOpt = options;
  return fields;
}
