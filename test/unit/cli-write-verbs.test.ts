// The pure parts of `kubelab run`, `create deployment|service|configmap`, `patch` and `edit`:
// the objects the generators build, the patch flags, and the edit file's header and patch.
// Their commands are tested against kubelabd and kubectl in test/integration/cli-write-verbs.test.ts.

import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { containerNameForImage, deploymentFromFlags } from '../../cli/commands/create-deployment.js';
import { parseTcpPort, serviceFromFlags } from '../../cli/commands/create-service.js';
import { configMapData, configMapFromData, parseEnvFile, type SourceReader } from '../../cli/commands/create-configmap.js';
import { cronJobFromFlags } from '../../cli/commands/create-batch.js';
import { parseLabelList, podFromRunFlags } from '../../cli/commands/run.js';
import { editorCommand } from '../../cli/commands/edit.js';
import { parseDryRun, renderWritten, withEnforcedNamespace } from '../../cli/generated-object.js';
import { parsePatchBody, parsePatchType, patchOutcome } from '../../cli/patch-request.js';
import { editHeader, EDIT_HEADER, isEmptyEdit, parseEdited, planEditPatch, shownObject, stripComments } from '../../cli/edit-buffer.js';

const fixed = () => 0; // the first letter of kubectl's suffix alphabet, every time

describe('create deployment', () => {
  const table: [string, string][] = [
    ['nginx', 'nginx'],
    ['nginx:1.25', 'nginx'],
    ['registry.local:5000/team/web:v2', 'web'],
    ['kubelab/hello@sha256:abc', 'hello'],
    ['a/my_app.v2:1', 'my-app-v2-bbbbb'],
  ];
  for (const [image, name] of table) {
    it(`names the container of ${image} ${name}`, () => assert.equal(containerNameForImage(image, fixed), name));
  }

  it('builds kubectl\'s object: app=NAME, replicas, the port on the first container, Go zero values', () => {
    assert.deepEqual(deploymentFromFlags('web', ['kubelab/hello:v1', 'kubelab/busybox:1'], { replicas: 0, port: 8080 }), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: { containers: [{ name: 'hello', image: 'kubelab/hello:v1', resources: {}, ports: [{ containerPort: 8080 }] }, { name: 'busybox', image: 'kubelab/busybox:1', resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it('--port=-1 (the default) adds no port; a command goes to every container', () => {
    const spec = (deploymentFromFlags('s', ['kubelab/busybox:1'], { port: -1, command: ['sleep', '1'] }).spec as { template: { spec: { containers: unknown[] } } }).template.spec;
    assert.deepEqual(spec.containers, [{ name: 'busybox', image: 'kubelab/busybox:1', command: ['sleep', '1'], resources: {} }]);
  });
});

describe('create service', () => {
  it('reads --tcp as kubectl does', () => {
    assert.deepEqual(parseTcpPort('80:8080'), { port: 80, targetPort: 8080 });
    assert.deepEqual(parseTcpPort('80:http'), { port: 80, targetPort: 'http' });
    assert.deepEqual(parseTcpPort('443'), { port: 443, targetPort: 443 });
    assert.throws(() => parseTcpPort('web:80'), /invalid port "web" in --tcp=web:80/);
  });

  it('builds each type with app=NAME, ports named after --tcp, and the type\'s own field', () => {
    const np = serviceFromFlags('NodePort', 'web', { tcp: ['80:8080'], nodePort: 30080 }) as KubeObject & { spec: Record<string, unknown> };
    assert.deepEqual(np.metadata, { name: 'web', creationTimestamp: null, labels: { app: 'web' } });
    assert.deepEqual(np.spec, { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }], selector: { app: 'web' }, type: 'NodePort' });
    const headless = serviceFromFlags('ClusterIP', 'db', { clusterip: 'None' }) as KubeObject & { spec: Record<string, unknown> };
    assert.deepEqual(headless.spec, { selector: { app: 'db' }, type: 'ClusterIP', clusterIP: 'None' });
    const alias = serviceFromFlags('ExternalName', 'search', { externalName: 'search.example.com' }) as KubeObject & { spec: Record<string, unknown> };
    assert.deepEqual(alias.spec, { selector: { app: 'search' }, type: 'ExternalName', externalName: 'search.example.com' });
  });

  it('refuses what kubectl refuses, in its words', () => {
    assert.throws(() => serviceFromFlags('ClusterIP', 'x', {}), /^CliError: at least one tcp port specifier must be provided$/);
    assert.throws(() => serviceFromFlags('ExternalName', 'x', {}), /^CliError: external-name must be specified$/);
  });
});

describe('create configmap', () => {
  const files: Record<string, Buffer> = {
    'conf/a.properties': Buffer.from('a=1\n'),
    'conf/logo': Buffer.from([0xff, 0xd8, 0x00]),
    'one.txt': Buffer.from('one\n'),
    'app.env': Buffer.from('\uFEFF# comment\n\n  MODE=fast \nHOME_DIR\nMISSING\nURL=a=b\n'),
  };
  const reader: SourceReader = {
    readFile: async (p) => {
      if (!(p in files)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return files[p]!;
    },
    listDirectory: async (p) => (p === 'conf' ? ['a.properties', 'logo'] : undefined),
    env: { HOME_DIR: '/home/me' },
  };

  it('reads literals, files under their name or a key, a directory\'s files; non-UTF-8 goes to binaryData', async () => {
    const { data, binaryData } = await configMapData('cm', { fromLiteral: ['k=v=w'], fromFile: ['conf', 'renamed=one.txt'] }, reader);
    assert.deepEqual(data, { k: 'v=w', 'a.properties': 'a=1\n', renamed: 'one\n' });
    assert.deepEqual(binaryData, { logo: Buffer.from([0xff, 0xd8, 0x00]).toString('base64') });
    assert.deepEqual(configMapFromData('cm', data, {}), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', creationTimestamp: null }, data });
  });

  it('reads env files as kubectl: comments and blank lines skipped, a bare KEY from the environment', () => {
    assert.deepEqual(parseEnvFile(files['app.env']!.toString('utf8'), reader.env), [['MODE', 'fast '], ['HOME_DIR', '/home/me'], ['URL', 'a=b']]);
  });

  it('refuses duplicates, bad keys, mixed sources and missing files in kubectl\'s words', async () => {
    await assert.rejects(configMapData('cm', { fromLiteral: ['a=1', 'a=2'] }, reader), { message: 'cannot add key "a", another key by that name already exists in Data for ConfigMap "cm"' });
    await assert.rejects(configMapData('cm', { fromLiteral: ['a b=1'] }, reader), /^CliError: "a b" is not a valid key name for a ConfigMap/);
    await assert.rejects(configMapData('cm', { fromLiteral: ['x'] }, reader), { message: 'invalid literal source x, expected key=value' });
    await assert.rejects(configMapData('cm', { fromLiteral: ['a=1'], fromEnvFile: ['app.env'] }, reader), { message: 'from-env-file cannot be combined with from-file or from-literal' });
    await assert.rejects(configMapData('cm', { fromFile: ['nope'] }, reader), { message: 'error reading nope: no such file or directory' });
  });
});

describe('create cronjob', () => {
  it('names the job template after the CronJob, as kubectl does', () => {
    const cronJob = cronJobFromFlags('tick', 'kubelab/busybox:1', '@hourly', 'OnFailure', []);
    assert.deepEqual(cronJob.spec.jobTemplate.metadata, { name: 'tick', creationTimestamp: null });
    assert.deepEqual(cronJob.spec.jobTemplate.spec.template.spec?.containers, [{ name: 'tick', image: 'kubelab/busybox:1', resources: {} }]);
  });
});

describe('run', () => {
  it('builds the pod kubectl run builds: run=NAME, args after --, ClusterFirst DNS', () => {
    assert.deepEqual(podFromRunFlags('web', { image: 'kubelab/hello:v1', port: 8080, env: ['A=1', 'B=x=y'] }, ['--verbose']), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', creationTimestamp: null, labels: { run: 'web' } },
      spec: {
        containers: [{ name: 'web', image: 'kubelab/hello:v1', args: ['--verbose'], env: [{ name: 'A', value: '1' }, { name: 'B', value: 'x=y' }], ports: [{ containerPort: 8080 }], resources: {} }],
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
      },
      status: {},
    });
  });

  it('--command makes the words the command; --labels replaces run=NAME', () => {
    const pod = podFromRunFlags('job', { image: 'kubelab/busybox:1', command: true, labels: 'app=web,tier=front', restart: 'Never' }, ['sleep', '1']) as KubeObject & { spec: { containers: Record<string, unknown>[]; restartPolicy: string } };
    assert.deepEqual(pod.spec.containers[0]!.command, ['sleep', '1']);
    assert.equal(pod.spec.containers[0]!.args, undefined);
    assert.deepEqual(pod.metadata.labels, { app: 'web', tier: 'front' });
    assert.equal(pod.spec.restartPolicy, 'Never');
  });

  it('-i keeps stdin open for one attach, -t asks for a terminal', () => {
    const pod = podFromRunFlags('sh', { image: 'kubelab/busybox:1', stdin: true, tty: true }, []) as KubeObject & { spec: { containers: Record<string, unknown>[] } };
    assert.deepEqual([pod.spec.containers[0]!.stdin, pod.spec.containers[0]!.stdinOnce, pod.spec.containers[0]!.tty], [true, true, true]);
  });

  it('refuses a bad restart policy, env or label list', () => {
    assert.throws(() => podFromRunFlags('x', { image: 'i', restart: 'Sometimes' }, []), { message: 'invalid restart policy: Sometimes' });
    assert.throws(() => podFromRunFlags('x', { image: 'i', env: ['=1'] }, []), { message: 'invalid env: =1' });
    assert.throws(() => parseLabelList('a=b,c'), { message: 'invalid label spec: c' });
  });
});

describe('generator output', () => {
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } };

  it('--dry-run takes none, client or server, and refuses the rest in kubectl\'s words', () => {
    assert.equal(parseDryRun(undefined), 'none');
    assert.equal(parseDryRun('client'), 'client');
    assert.equal(parseDryRun('server'), 'server');
    assert.throws(() => parseDryRun('maybe'), { message: 'Invalid dry-run value (maybe). Must be "none", "server", or "client".' });
  });

  it('prints `created`, `created (dry run)`, `created (server dry run)`, or the object', () => {
    assert.equal(renderWritten(cm, 'created', 'none', undefined), 'configmap/cm created\n');
    assert.equal(renderWritten(cm, 'created', 'client', undefined), 'configmap/cm created (dry run)\n');
    assert.equal(renderWritten(cm, 'replaced', 'server', undefined), 'configmap/cm replaced (server dry run)\n');
    assert.equal(renderWritten(cm, 'created', 'client', 'name'), 'configmap/cm\n');
    assert.equal(renderWritten(cm, 'created', 'client', 'yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n');
  });

  it('puts the namespace in the object only when -n was given', () => {
    assert.deepEqual(withEnforcedNamespace(cm, { namespace: 'dev', namespaceFromFlag: false }), cm);
    assert.equal(withEnforcedNamespace(cm, { namespace: 'dev', namespaceFromFlag: true }).metadata.namespace, 'dev');
  });
});

describe('patch', () => {
  it('takes the three patch types, strategic by default', () => {
    assert.equal(parsePatchType(undefined), 'strategic');
    assert.equal(parsePatchType('json'), 'json');
    assert.throws(() => parsePatchType('bogus'), { message: '--type must be one of [json merge strategic], not "bogus"' });
  });

  it('reads JSON or YAML, and checks the shape against the type', () => {
    assert.deepEqual(parsePatchBody('{"spec":{"replicas":2}}', 'merge'), { spec: { replicas: 2 } });
    assert.deepEqual(parsePatchBody('spec: {replicas: 2}', 'strategic'), { spec: { replicas: 2 } });
    assert.deepEqual(parsePatchBody('[{"op":"remove","path":"/a"}]', 'json'), [{ op: 'remove', path: '/a' }]);
    assert.throws(() => parsePatchBody('{"a":1}', 'json'), /json: cannot unmarshal object into Go value of type jsonpatch.Patch/);
    assert.throws(() => parsePatchBody('[1]', 'merge'), /a merge patch is a JSON object/);
  });

  it('says (no change) when the server\'s answer equals what was read', () => {
    const before = { metadata: { name: 'a', resourceVersion: '5' }, spec: { replicas: 1 } };
    assert.equal(patchOutcome(before, structuredClone(before)), 'patched (no change)');
    assert.equal(patchOutcome(before, { ...before, metadata: { name: 'a', resourceVersion: '6' } }), 'patched');
  });
});

describe('edit', () => {
  it('picks $KUBE_EDITOR, then $EDITOR, then vi', () => {
    assert.equal(editorCommand({ KUBE_EDITOR: 'nano', EDITOR: 'emacs' }), 'nano');
    assert.equal(editorCommand({ EDITOR: 'code --wait' }), 'code --wait');
    assert.equal(editorCommand({}), 'vi');
  });

  it('writes the failure reasons into the header as kubectl does', () => {
    assert.equal(editHeader([]), EDIT_HEADER);
    assert.equal(
      editHeader([{ head: 'deployments.apps "web" was not valid', other: ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'] }, { head: 'The edited file had a syntax error: bad\nindent', other: [] }]),
      EDIT_HEADER +
        '# deployments.apps "web" was not valid:\n# * spec.replicas: Invalid value: -1: must be greater than or equal to 0\n#\n' +
        '# The edited file had a syntax error: bad\n# indent\n#\n',
    );
  });

  it('reads the saved file without comments; an all-comment file is empty', () => {
    const saved = `${EDIT_HEADER}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n`;
    assert.equal(stripComments(saved), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n');
    assert.deepEqual(parseEdited(saved), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    assert.equal(isEmptyEdit(EDIT_HEADER + '\n  \n'), true);
    assert.throws(() => parseEdited('a: [1'));
  });

  it('sends what changed as a merge patch: a removed key is null, a changed list whole, managedFields never', () => {
    const live = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { a: '1', b: '2' }, managedFields: [{ manager: 'kubectl-create' }] },
      spec: { containers: [{ name: 'c', image: 'v1' }, { name: 'd', image: 'v1' }] },
    } as KubeObject;
    const shown = shownObject(live);
    assert.equal('managedFields' in shown.metadata, false);
    const edited = structuredClone(shown) as KubeObject & { spec: { containers: { name: string; image: string }[] } };
    delete edited.metadata.labels!.b;
    edited.spec.containers[1]!.image = 'v2';
    assert.deepEqual(planEditPatch(shown, edited), { metadata: { labels: { b: null } }, spec: { containers: [{ name: 'c', image: 'v1' }, { name: 'd', image: 'v2' }] } });
    assert.deepEqual(planEditPatch(shown, structuredClone(shown)), {});
  });
});
