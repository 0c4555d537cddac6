// The kubelet with the fake runtime, for the wiring the real engine cannot show on these
// machines: imagePullSecrets reach the pull (there is no registry to pull from here), and the
// engine-neutral options a pod's fields become.

import assert from 'node:assert/strict';
import type { Event, Pod } from '../../lib/api/types.js';
import { ManualClock } from '../../lib/clock.js';
import type { ContainerConfig, SandboxConfig } from '../../daemon/runtime/container-runtime.js';
import { EventRecorder } from '../../daemon/events/event-recorder.js';
import { Kubelet } from '../../daemon/kubelet/kubelet.js';
import { newPod, type TestCluster } from '../helpers/test-cluster.js';
import { kubeletFixture, type KubeletFixture } from '../helpers/kubelet-fixture.js';
import { FakeRuntime } from '../fakes/fake-runtime.js';

const PRIVATE = 'registry.lab:5000/team/app:1';

describe('Kubelet: imagePullSecrets and pod options (component, fake runtime)', () => {
  let clock: ManualClock;
  let cluster: TestCluster;
  let runtime: FakeRuntime;
  let recorder: EventRecorder;
  let dataDir: string;
  let kubelet: Kubelet;

  let fixture: KubeletFixture;

  beforeEach(async () => {
    fixture = await kubeletFixture({ images: ['kubelab/busybox:1'], dirPrefix: 'kubelab-podfeatures-' });
    ({ clock, cluster, runtime, recorder, dataDir, kubelet } = fixture);
  });
  afterEach(async () => {
    await fixture.close();
  });

  const dockerConfig = (auths: object) => Buffer.from(JSON.stringify({ auths })).toString('base64');

  // covers: Pod spec.imagePullSecrets, spec.imagePullSecrets.name
  it('pulls with the credentials of the docker-registry Secret named in imagePullSecrets', async () => {
    runtime.addPullableImage(PRIVATE, { username: 'robot', password: 'hunter2' });
    await cluster.client.create('secrets', {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred', namespace: 'default' }, type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': dockerConfig({ 'registry.lab:5000': { username: 'robot', password: 'hunter2', auth: Buffer.from('robot:hunter2').toString('base64') } }) },
    });
    await cluster.client.create<Pod>('pods', newPod('private', { nodeName: 'node-1', imagePullSecrets: [{ name: 'regcred' }], containers: [{ name: 'app', image: PRIVATE }] }));
    await kubelet.syncPod('default/private');
    const [pull] = runtime.callsOf('pullImage');
    assert.deepEqual(pull, [PRIVATE, { serverAddress: 'registry.lab:5000', username: 'robot', password: 'hunter2', auth: Buffer.from('robot:hunter2').toString('base64') }]);
    assert.equal((await cluster.client.get<Pod>('pods', 'default', 'private')).status!.containerStatuses![0].state.running !== undefined, true);
  });

  it('without the Secret the private pull fails (ErrImagePull) and the missing Secret is an event', async () => {
    runtime.addPullableImage(PRIVATE, { username: 'robot', password: 'hunter2' });
    await cluster.client.create<Pod>('pods', newPod('nocred', { nodeName: 'node-1', imagePullSecrets: [{ name: 'absent' }], containers: [{ name: 'app', image: PRIVATE }] }));
    await kubelet.syncPod('default/nocred');
    assert.equal((await cluster.client.get<Pod>('pods', 'default', 'nocred')).status!.containerStatuses![0].state.waiting!.reason, 'ErrImagePull');
    await recorder.flush();
    const events = (await cluster.client.list<Event>('events')).items.map((e) => `${e.reason}: ${e.message}`);
    assert.ok(events.includes('FailedToRetrieveImagePullSecret: Unable to retrieve some image pull secrets (absent); attempting to pull the image may not succeed.'), events.join('\n'));
  });

  // covers: Pod spec.hostIPC, spec.securityContext.sysctls.name, spec.securityContext.sysctls.value, spec.dnsConfig.options.name, spec.dnsConfig.options.value, spec.containers.securityContext.privileged
  it('hands the engine the pod\'s namespaces, sysctls, hosts and DNS, and each container its security options', async () => {
    await cluster.client.create<Pod>('pods', newPod('opts', {
      nodeName: 'node-1', hostIPC: true, shareProcessNamespace: true, hostname: 'db-0', subdomain: 'db',
      hostAliases: [{ ip: '10.9.9.9', hostnames: ['legacy'] }],
      securityContext: { runAsUser: 1000, fsGroup: 2000, sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }] },
      dnsPolicy: 'None', dnsConfig: { nameservers: ['10.0.0.10'], options: [{ name: 'ndots', value: '1' }] },
      containers: [{ name: 'app', image: 'kubelab/busybox:1', command: ['echo', '$(GREETING)'], env: [{ name: 'GREETING', value: 'hi' }], securityContext: { privileged: true, capabilities: { add: ['CAP_NET_ADMIN'] } } }],
    }));
    await kubelet.syncPod('default/opts');
    const sandboxConfig = runtime.callsOf('runPodSandbox')[0][0] as SandboxConfig;
    assert.equal(sandboxConfig.hostname, 'db-0');
    assert.equal(sandboxConfig.hostIPC, true);
    assert.deepEqual(sandboxConfig.sysctls, { 'net.ipv4.tcp_syncookies': '1' });
    assert.deepEqual(sandboxConfig.hostsFile, { fqdn: 'db-0.db.default.svc.cluster.local', hostAliases: [{ ip: '10.9.9.9', hostnames: ['legacy'] }] });
    assert.deepEqual([sandboxConfig.dnsServers, sandboxConfig.dnsSearch, sandboxConfig.dnsOptions], [['10.0.0.10'], [], ['ndots:1']]);
    const config = runtime.callsOf('createContainer')[0][1] as ContainerConfig;
    assert.equal(config.pidMode, 'pod');
    assert.deepEqual(config.security, { user: '1000', groupAdd: [2000], privileged: true, capAdd: ['NET_ADMIN'] });
    assert.deepEqual(config.command, ['echo', 'hi']);
    assert.ok(config.mounts.some((m) => m.containerPath === '/dev/termination-log'));
  });
  // covers: Pod spec.setHostnameAsFQDN
  it('setHostnameAsFQDN: the hostname is the pod\'s FQDN when it has a subdomain, its short name otherwise', async () => {
    await cluster.client.create<Pod>('pods', newPod('fqdn', { nodeName: 'node-1', hostname: 'db-0', subdomain: 'db', setHostnameAsFQDN: true, containers: [{ name: 'app', image: 'kubelab/busybox:1' }] }));
    await cluster.client.create<Pod>('pods', newPod('short', { nodeName: 'node-1', setHostnameAsFQDN: true, containers: [{ name: 'app', image: 'kubelab/busybox:1' }] }));
    await kubelet.syncPod('default/fqdn');
    await kubelet.syncPod('default/short');
    assert.deepEqual(runtime.callsOf('runPodSandbox').map((call) => (call[0] as SandboxConfig).hostname), ['db-0.db.default.svc.cluster.local', 'short']);
  });
});
