// Table tests of the pure parts behind issue 20's pod fields: environment resolution, the
// downward API, security options and their Docker mapping, /etc/hosts and resolv.conf, registry
// credentials, the gRPC health messages, and the API's refusals.

import assert from 'node:assert/strict';
import type { Container, Pod } from '../../lib/api/types.js';
import { expandVariables, makeEnvironment, podFieldValue, resourceFieldValue, type ConfigSource } from '../../daemon/kubelet/container-env.js';
import { containerSecurity, verifyRunAsNonRoot } from '../../daemon/kubelet/security-options.js';
import { dockerSecurityFields } from '../../daemon/runtime/docker-security.js';
import { parseResolvConf, renderHostsFile, renderResolvConf } from '../../daemon/runtime/etc-files.js';
import { podDnsConfig } from '../../daemon/kubelet/pod-dns.js';
import { imageRegistry, registryAuthFor } from '../../daemon/kubelet/image-pull-secrets.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../daemon/kubelet/grpc-health.js';
import { downwardApiFiles } from '../../daemon/kubelet/volumes.js';
import { validatePodSpec } from '../../lib/api/validate-pod-spec.js';
import { findUnsupportedFields } from '../../lib/api/schemas/unsupported-fields.js';

const pod = (spec: Partial<Pod['spec']> = {}, metadata: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', labels: { app: 'web', tier: 'front' }, annotations: { note: 'x' }, ...metadata },
  spec: { nodeName: 'node-1', serviceAccountName: 'robot', containers: [{ name: 'app', image: 'i', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } } }], ...spec },
});
const allocatable = { cpuMillis: 2000, memoryBytes: 4 * 2 ** 30 };

describe('container environment (makeEnvironment)', () => {
  const env = (container: Partial<Container>, sources: { configMaps?: Record<string, ConfigSource>; secrets?: Record<string, ConfigSource> } = {}, serviceEnv: { name: string; value: string }[] = []) => {
    const c = { name: 'app', image: 'i', ...container } as Container;
    const result = makeEnvironment({
      pod: pod({ containers: [c] }), container: c, fields: { podIP: '10.244.0.5', hostIP: '192.168.1.2' }, allocatable,
      configMaps: new Map(Object.entries(sources.configMaps ?? {})), secrets: new Map(Object.entries(sources.secrets ?? {})), serviceEnv,
    });
    return result;
  };

  it('envFrom first, with prefixes; env after it replaces and may refer to it; Services last', () => {
    const { env: vars } = env(
      { envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'DB_', secretRef: { name: 'db' } }], env: [{ name: 'MODE', value: 'slow' }, { name: 'URL', value: 'http://$(WEB_SERVICE_HOST)/$(MODE)/$(DB_USER)' }] },
      { configMaps: { cfg: { MODE: 'fast', 'bad=key': 'x' } }, secrets: { db: { USER: 'admin' } } },
      [{ name: 'WEB_SERVICE_HOST', value: '10.96.0.9' }, { name: 'MODE', value: 'service' }],
    );
    assert.deepEqual(vars, [
      { name: 'WEB_SERVICE_HOST', value: '10.96.0.9' },
      { name: 'MODE', value: 'slow' },
      { name: 'DB_USER', value: 'admin' },
      { name: 'URL', value: 'http://10.96.0.9/slow/admin' },
    ]);
  });

  it('keys that are not variable names are skipped and named in a warning', () => {
    const result = env({ envFrom: [{ configMapRef: { name: 'cfg' } }] }, { configMaps: { cfg: { 'a=b': '1', OK: '2' } } });
    assert.deepEqual(result.env, [{ name: 'OK', value: '2' }]);
    assert.deepEqual(result.skippedKeyWarnings, ['Keys [a=b] from the EnvFrom configMap shop/cfg were skipped since they are considered invalid environment variable names.']);
  });

  const failures: [string, Partial<Container>, string][] = [
    ['a missing ConfigMap of envFrom', { envFrom: [{ configMapRef: { name: 'nope' } }] }, 'configmap "nope" not found'],
    ['a missing Secret of envFrom', { envFrom: [{ secretRef: { name: 'nope' } }] }, 'secret "nope" not found'],
    ['a missing key of a ConfigMap', { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'K' } } }] }, "couldn't find key K in ConfigMap shop/cfg"],
    ['a missing Secret of a key ref', { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'K' } } }] }, 'secret "nope" not found'],
  ];
  for (const [what, container, message] of failures) {
    it(`${what}: CreateContainerConfigError "${message}"`, () => {
      assert.throws(() => env(container, { configMaps: { cfg: {} } }), { name: 'ContainerConfigError', message });
    });
  }

  // covers: Pod spec.containers.envFrom.configMapRef.optional, spec.containers.envFrom.secretRef.optional, spec.containers.env.valueFrom.configMapKeyRef.optional
  it('optional references that are missing define nothing', () => {
    const { env: vars } = env({
      envFrom: [{ configMapRef: { name: 'nope', optional: true } }, { secretRef: { name: 'gone', optional: true } }],
      env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'K', optional: true } } }, { name: 'Y', valueFrom: { secretKeyRef: { name: 'nope', key: 'K', optional: true } } }],
    }, { configMaps: { cfg: {} } });
    assert.deepEqual(vars, []);
  });

  const expansions: [string, string][] = [
    ['$(A)-$(B)', '1-$(B)'],
    ['$$(A)', '$(A)'],
    ['$$', '$'],
    ['cost: $5', 'cost: $5'],
    ['$(A', '$(A'],
  ];
  for (const [input, want] of expansions) it(`$(VAR) expansion: ${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => assert.equal(expandVariables(input, (n) => (n === 'A' ? '1' : undefined)), want));
});

describe('the downward API', () => {
  const fields = { podIP: '10.244.0.5', hostIP: '192.168.1.2' };
  const cases: [string, string][] = [
    ['metadata.name', 'web'], ['metadata.namespace', 'shop'], ['metadata.uid', 'u-1'], ["metadata.labels['app']", 'web'], ["metadata.annotations['note']", 'x'],
    ["metadata.labels['none']", ''], ['spec.nodeName', 'node-1'], ['spec.serviceAccountName', 'robot'], ['status.podIP', '10.244.0.5'], ['status.podIPs', '10.244.0.5'],
    ['status.hostIP', '192.168.1.2'], ['status.hostIPs', '192.168.1.2'], ['metadata.labels', 'app="web"\ntier="front"'],
  ];
  for (const [path, want] of cases) it(`fieldRef ${path} → ${JSON.stringify(want)}`, () => assert.equal(podFieldValue(pod(), path, fields), want));

  const resources: [string, string | undefined, string][] = [
    ['limits.memory', undefined, String(64 * 2 ** 20)],
    ['limits.memory', '1Mi', '64'],
    ['limits.cpu', undefined, '2'], // no limit: the node's allocatable (2 cores)
    ['limits.cpu', '1m', '2000'],
    ['requests.cpu', '1m', '250'],
    ['requests.cpu', undefined, '1'], // 250m rounds up to one core
    ['requests.memory', undefined, String(64 * 2 ** 20)], // no request: its limit
  ];
  for (const [resource, divisor, want] of resources) {
    it(`resourceFieldRef ${resource}${divisor ? ` / ${divisor}` : ''} → ${want}`, () => assert.equal(resourceFieldValue(pod(), 'app', { resource, ...(divisor ? { divisor } : {}) }, allocatable), want));
  }

  // covers: Pod spec.volumes.downwardAPI.items.path, spec.volumes.downwardAPI.items.fieldRef.fieldPath, spec.volumes.downwardAPI.items.resourceFieldRef.containerName, spec.volumes.downwardAPI.items.resourceFieldRef.resource, spec.volumes.downwardAPI.items.resourceFieldRef.divisor, spec.volumes.downwardAPI.items.mode
  it('volume files carry their item mode, or the default', () => {
    const files = downwardApiFiles(pod(), [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' }, mode: 0o400 }], 0o644, allocatable);
    assert.deepEqual(files.map((f) => [f.path, f.content.toString(), f.mode]), [['labels', 'app="web"\ntier="front"', 0o644], ['mem', '64', 0o400]]);
  });
});

describe('securityContext → engine options → Docker', () => {
  const container = (securityContext: Container['securityContext'] = {}): Container => ({ name: 'app', image: 'i', securityContext });
  it('the container overrides the pod; groups, capabilities and no_new_privs carry over', () => {
    const p = pod({ securityContext: { runAsUser: 1000, runAsGroup: 1000, supplementalGroups: [5, 6], fsGroup: 2000, seccompProfile: { type: 'Unconfined' } } });
    const security = containerSecurity(p, container({ runAsUser: 2000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { add: ['cap_net_admin'], drop: ['ALL'] } }), '');
    assert.deepEqual(security, { user: '2000:1000', groupAdd: [5, 6, 2000], readOnlyRootFilesystem: true, capAdd: ['NET_ADMIN'], capDrop: ['ALL'], noNewPrivileges: true, seccomp: 'unconfined' });
    assert.deepEqual(dockerSecurityFields(security), {
      User: '2000:1000',
      HostConfig: { GroupAdd: ['5', '6', '2000'], ReadonlyRootfs: true, CapAdd: ['NET_ADMIN'], CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges', 'seccomp=unconfined'] },
    });
  });
  // covers: Pod spec.containers.securityContext.runAsGroup, spec.securityContext.runAsGroup
  it('runAsGroup alone keeps the image\'s user', () => {
    assert.equal(containerSecurity(pod(), container({ runAsGroup: 50 }), 'nobody').user, 'nobody:50');
    assert.equal(containerSecurity(pod(), container({ runAsGroup: 50 }), '').user, '0:50');
  });
  // covers: Pod spec.containers.securityContext.privileged, spec.containers.securityContext.appArmorProfile.type
  it('privileged and AppArmor Unconfined', () => {
    assert.deepEqual(dockerSecurityFields(containerSecurity(pod(), container({ privileged: true, appArmorProfile: { type: 'Unconfined' } }), '')), { HostConfig: { Privileged: true, SecurityOpt: ['apparmor=unconfined'] } });
    assert.deepEqual(dockerSecurityFields(containerSecurity(pod(), container({ privileged: false }), '')), { HostConfig: {} });
  });
  // RuntimeDefault is the engine's default profile, so it adds no option; Unconfined turns the
  // profile off; the container's profile wins over the pod's (Localhost is refused at create).
  // covers: Pod spec.securityContext.seccompProfile.type, spec.securityContext.appArmorProfile.type, spec.containers.securityContext.seccompProfile.type, spec.containers.securityContext.appArmorProfile.type
  it('seccomp and AppArmor profiles: RuntimeDefault keeps the engine\'s profile, Unconfined turns it off, the container\'s wins', () => {
    const unconfinedPod = pod({ securityContext: { seccompProfile: { type: 'Unconfined' }, appArmorProfile: { type: 'Unconfined' } } });
    assert.deepEqual(dockerSecurityFields(containerSecurity(unconfinedPod, container(), '')), { HostConfig: { SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'] } });
    assert.deepEqual(dockerSecurityFields(containerSecurity(unconfinedPod, container({ seccompProfile: { type: 'RuntimeDefault' }, appArmorProfile: { type: 'RuntimeDefault' } }), '')), { HostConfig: {} });
    assert.deepEqual(dockerSecurityFields(containerSecurity(pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }), container({ seccompProfile: { type: 'Unconfined' } }), '')), { HostConfig: { SecurityOpt: ['seccomp=unconfined'] } });
  });
  // covers: Pod spec.securityContext.runAsNonRoot
  it('runAsNonRoot at the pod level applies to every container; the container\'s own false wins', () => {
    assert.throws(() => verifyRunAsNonRoot(pod({ securityContext: { runAsNonRoot: true } }), container(), ''), { name: 'ContainerConfigError', message: 'container has runAsNonRoot and image will run as root (pod: "web_shop(u-1)", container: app)' });
    verifyRunAsNonRoot(pod({ securityContext: { runAsNonRoot: true } }), container(), '1000');
    verifyRunAsNonRoot(pod({ securityContext: { runAsNonRoot: true } }), container({ runAsNonRoot: false }), '');
  });

  const nonRoot: [string, Container['securityContext'], string, string | undefined][] = [
    ['an image without USER runs as root', { runAsNonRoot: true }, '', 'container has runAsNonRoot and image will run as root (pod: "web_shop(u-1)", container: app)'],
    ['USER 0', { runAsNonRoot: true }, '0:0', 'container has runAsNonRoot and image will run as root (pod: "web_shop(u-1)", container: app)'],
    ['a named USER cannot be checked', { runAsNonRoot: true }, 'nginx', 'container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root (pod: "web_shop(u-1)", container: app)'],
    ['runAsUser 0', { runAsNonRoot: true, runAsUser: 0 }, '1000', 'container\'s runAsUser breaks non-root policy (pod: "web_shop(u-1)", container: app)'],
    ['USER 1000', { runAsNonRoot: true }, '1000', undefined],
    ['runAsUser 1000 over a root image', { runAsNonRoot: true, runAsUser: 1000 }, '', undefined],
  ];
  for (const [what, context, imageUser, message] of nonRoot) {
    it(`runAsNonRoot: ${what}`, () => {
      if (message) assert.throws(() => verifyRunAsNonRoot(pod(), container(context), imageUser), { name: 'ContainerConfigError', message });
      else verifyRunAsNonRoot(pod(), container(context), imageUser);
    });
  }
});

describe('/etc/hosts and resolv.conf', () => {
  it('the pod\'s hosts file: its FQDN and name on its IP, then the aliases', () => {
    assert.equal(renderHostsFile('10.244.0.5', 'web-0', 'web-0.web.shop.svc.cluster.local', [{ ip: '10.1.1.1', hostnames: ['a', 'b'] }]), [
      '# Kubernetes-managed hosts file.', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet', 'fe00::0\tip6-mcastprefix',
      'fe00::1\tip6-allnodes', 'fe00::2\tip6-allrouters', '10.244.0.5\tweb-0.web.shop.svc.cluster.local\tweb-0', '', '# Entries added by HostAliases.', '10.1.1.1\ta\tb', '',
    ].join('\n'));
  });
  it('resolv.conf round trip', () => {
    const conf = { nameservers: ['10.0.0.10'], searches: ['a.b', 'c'], options: ['ndots:5'] };
    assert.equal(renderResolvConf(conf), 'nameserver 10.0.0.10\nsearch a.b c\noptions ndots:5\n');
    assert.deepEqual(parseResolvConf('# x\n' + renderResolvConf(conf)), conf);
  });
  const cluster = { servers: ['10.96.0.10'], domain: 'cluster.local' };
  const node = { nameservers: ['192.168.1.1'], searches: ['home'], options: ['edns0'] };
  const dns: [string, Partial<Pod['spec']>, object][] = [
    ['ClusterFirst adds the node\'s searches and ndots:5', {}, { dnsServers: ['10.96.0.10'], dnsSearch: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'home'], dnsOptions: ['ndots:5'] }],
    ['ClusterFirst with hostNetwork is Default: the engine (node) resolver', { hostNetwork: true }, {}],
    ['ClusterFirstWithHostNet keeps the cluster DNS', { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }, { dnsServers: ['10.96.0.10'], dnsSearch: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'home'], dnsOptions: ['ndots:5'] }],
    ['Default with dnsConfig: the node\'s file plus it', { dnsPolicy: 'Default', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['x'] } }, { dnsServers: ['192.168.1.1', '1.1.1.1'], dnsSearch: ['home', 'x'], dnsOptions: ['edns0'] }],
    ['None: only dnsConfig; an option replaces the policy\'s of the same name', { dnsPolicy: 'None', dnsConfig: { nameservers: ['a', 'b', 'c', 'd'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] } }, { dnsServers: ['a', 'b', 'c'], dnsSearch: [], dnsOptions: ['ndots:2', 'rotate'] }],
    ['ClusterFirst options overridden', { dnsConfig: { options: [{ name: 'ndots', value: '1' }] } }, { dnsServers: ['10.96.0.10'], dnsSearch: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'home'], dnsOptions: ['ndots:1'] }],
  ];
  for (const [what, spec, want] of dns) it(`dnsPolicy: ${what}`, () => assert.deepEqual(podDnsConfig(pod(spec), cluster, node), want));
});

describe('registry credentials from imagePullSecrets', () => {
  const secret = (auths: object, key = '.dockerconfigjson') => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { [key]: Buffer.from(JSON.stringify(key === '.dockercfg' ? auths : { auths })).toString('base64') } });
  it('the registry of an image name', () => {
    assert.deepEqual(imageRegistry('nginx:1.25'), { host: 'docker.io', repository: 'library/nginx' });
    assert.deepEqual(imageRegistry('localhost:5000/team/app:1'), { host: 'localhost:5000', repository: 'team/app' });
    assert.deepEqual(imageRegistry('ghcr.io/org/app@sha256:abc'), { host: 'ghcr.io', repository: 'org/app' });
  });
  it('matches host, wildcard and path; the longest key wins; auth is decoded', () => {
    const s = secret({ '*.lab.io': { username: 'any', password: 'p' }, 'reg.lab.io/team': { auth: Buffer.from('team:pw').toString('base64') }, 'https://index.docker.io/v1/': { username: 'hub', password: 'h' } });
    assert.deepEqual(registryAuthFor('reg.lab.io/team/app:1', [s]), { serverAddress: 'reg.lab.io', username: 'team', password: 'pw', auth: Buffer.from('team:pw').toString('base64') });
    assert.equal(registryAuthFor('reg.lab.io/other/app:1', [s])!.username, 'any');
    assert.equal(registryAuthFor('busybox', [s])!.username, 'hub');
    assert.equal(registryAuthFor('quay.io/x/y', [s]), undefined);
    assert.equal(registryAuthFor('old.io/x', [secret({ 'old.io': { username: 'o', password: 'p' } }, '.dockercfg')])!.username, 'o');
  });
});

describe('gRPC health messages', () => {
  it('request and response round trip as protobuf', () => {
    assert.deepEqual(encodeRequest({ service: 'app' }), Buffer.from([0x0a, 3, 0x61, 0x70, 0x70]));
    assert.deepEqual(decodeRequest(encodeRequest({ service: 'app' })), { service: 'app' });
    assert.deepEqual(decodeRequest(Buffer.alloc(0)), { service: '' });
    for (const status of ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const) assert.deepEqual(decodeResponse(encodeResponse({ status })), { status });
  });
});

describe('pod fields kubelab cannot honour are refused (422 naming the field)', () => {
  const spec = (extra: object, container: object = {}) => ({ containers: [{ name: 'app', image: 'i', ...container }], ...extra });
  const refused: [string, object, string][] = [
    ['seLinuxOptions', spec({ securityContext: { seLinuxOptions: { level: 's0' } } }), 'spec.securityContext.seLinuxOptions'],
    ['windowsOptions', spec({}, { securityContext: { windowsOptions: { hostProcess: false } } }), 'spec.containers[0].securityContext.windowsOptions'],
    ['a Localhost seccomp profile', spec({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' } } }), 'spec.securityContext.seccompProfile.type'],
    ['a Localhost AppArmor profile', spec({}, { securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } } }), 'spec.containers[0].securityContext.appArmorProfile.type'],
    ['procMount Unmasked', spec({}, { securityContext: { procMount: 'Unmasked' } }), 'spec.containers[0].securityContext.procMount'],
    ['supplementalGroupsPolicy Strict', spec({ securityContext: { supplementalGroupsPolicy: 'Strict' } }), 'spec.securityContext.supplementalGroupsPolicy'],
    ['a node-wide sysctl', spec({ securityContext: { sysctls: [{ name: 'vm.swappiness', value: '1' }] } }), 'spec.securityContext.sysctls[0].name'],
  ];
  // The API runs both: the list of fields refused whatever their value (UNSUPPORTED_FIELDS) and
  // the pod validation (refusals that depend on the value).
  const apiErrors = (podSpec: object) => [...findUnsupportedFields('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: podSpec }), ...validatePodSpec(podSpec, 'spec.')];
  for (const [what, podSpec, field] of refused) {
    it(what, () => {
      const errors = apiErrors(podSpec);
      const error = errors.find((e) => e.field === field);
      assert.ok(error, JSON.stringify(errors));
      assert.match(error.message, /kubelab does not support this field/);
    });
  }
  const invalid: [string, object, string][] = [
    ['an env fieldRef kubelab does not know', spec({}, { env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.priority' } } }] }), 'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath'],
    ['a resourceFieldRef divisor of the wrong unit', spec({}, { env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1Mi' } } }] }), 'spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor'],
    ['a downwardAPI volume without containerName for a resource', spec({ volumes: [{ name: 'd', downwardAPI: { items: [{ path: 'm', resourceFieldRef: { resource: 'limits.memory' } }] } }] }), 'spec.volumes[0].downwardAPI.items[0].resourceFieldRef.containerName'],
    ['net.* sysctls with hostNetwork', spec({ hostNetwork: true, securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }] } }), 'spec.securityContext.sysctls[0].name'],
    ['lifecycle on a plain init container', { containers: [{ name: 'app', image: 'i' }], initContainers: [{ name: 'i', image: 'i', lifecycle: { postStart: { exec: { command: ['true'] } } } }] }, 'spec.initContainers[0].lifecycle'],
  ];
  for (const [what, podSpec, field] of invalid) it(`invalid: ${what}`, () => assert.ok(validatePodSpec(podSpec, 'spec.').some((e) => e.field === field), JSON.stringify(validatePodSpec(podSpec, 'spec.'))));
  it('what kubelab honours passes', () => {
    assert.deepEqual(apiErrors(spec({ securityContext: { supplementalGroupsPolicy: 'Merge' } }, { securityContext: { procMount: 'Default' } })), []);
    assert.deepEqual(validatePodSpec(spec({ securityContext: { runAsUser: 1, fsGroup: 2, seccompProfile: { type: 'RuntimeDefault' }, sysctls: [{ name: 'kernel.shm_rmid_forced', value: '1' }] } }, { securityContext: { capabilities: { drop: ['ALL'] }, appArmorProfile: { type: 'Unconfined' } } }), 'spec.'), []);
  });
});
