// Every image the project's tests, benchmarks, examples and scripts name must be one that
// scripts/build-images.sh builds: there is no registry, so an image no script builds exists only
// on machines where earlier work happened to leave it, and a fresh machine fails on it (as the
// suite once did with a `kubelab/busybox:test` that nothing built).
//
// What counts as a reference:
// - anywhere (unit tests too): a name under `kubelab/` with a tag, which claims to be ours;
// - outside test/unit: the value of `image:` / `Image:` / `IMAGE =` / `--image` written as a
//   literal, since those reach a real engine. Unit tests are pure (fake runtimes), so their
//   placeholder names (`nginx:1.25`) never reach Docker and are not checked.
// A line that names an image on purpose without building it (pulled from a registry on a real
// lab, tagged by the test itself, absent to test a failure) says so with `not-built: <why>`.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCANNED = ['test', 'bench', 'harness', 'examples', 'scripts', 'README.md'];
const SCANNED_FILE = /\.(ts|js|cjs|mjs|ya?ml|json|sh|md)$|(^|\/)(Vagrantfile|Dockerfile)$/;
const MARKER = 'not-built:';

/** `kubelab/name:tag`, not preceded by a character that would make it part of a longer name. */
const PROJECT_IMAGE = /(?<![\w./-])kubelab\/[a-z0-9][a-z0-9._-]*:[A-Za-z0-9_][A-Za-z0-9._-]*/g;
/** `image: x`, `Image: 'x'`, `IMAGE = "x"`, `--image=x`, `--image x`: the literal after them. */
const IMAGE_LITERAL = /(?:\b(?:image|Image|[A-Z_]*IMAGE)\s*[:=]\s*|--image[= ])(['"`]?)([A-Za-z0-9][A-Za-z0-9./_-]*(?::[A-Za-z0-9._-]+)?)\1(?=[\s,;)}\]]|$)/g;

export interface ImageReference { file: string; line: number; image: string }

/** The images `build IMAGE DIR ...` lines of scripts/build-images.sh make. */
export function builtImages(script: string): Set<string> {
  return new Set([...script.matchAll(/^build\s+(\S+)\s/gm)].map((match) => match[1]!));
}

/** The image references in one file's text (`checkLiterals`: also `image:` literals). */
export function imageReferences(file: string, text: string, checkLiterals: boolean): ImageReference[] {
  const found: ImageReference[] = [];
  text.split('\n').forEach((content, index) => {
    if (content.includes(MARKER)) return;
    const images = new Set([...content.matchAll(PROJECT_IMAGE)].map((match) => match[0].replace(/\.+$/, '')));
    if (checkLiterals) {
      for (const match of content.matchAll(IMAGE_LITERAL)) {
        const image = match[2]!;
        // A quoted value is a literal; unquoted, only YAML values and flags are (in code it is a variable).
        const quoted = match[1] !== '';
        if (quoted || !/\.(ts|js|cjs|mjs)$/.test(file)) images.add(image);
      }
    }
    for (const image of images) found.push({ file, line: index + 1, image });
  });
  return found;
}

function walk(relative: string): string[] {
  const full = path.join(ROOT, relative);
  if (!fs.statSync(full).isDirectory()) return [relative];
  return fs.readdirSync(full).flatMap((entry) => (entry === 'node_modules' ? [] : walk(path.join(relative, entry))));
}

describe('image references: every image a test, bench, example or script names is built by the project', () => {
  it('finds the build list in scripts/build-images.sh', () => {
    const built = builtImages(fs.readFileSync(path.join(ROOT, 'scripts/build-images.sh'), 'utf8'));
    assert.deepEqual([...built].sort(), ['kubelab/busybox:1', 'kubelab/hello:v1', 'kubelab/hello:v2', 'kubelab/pause:1']);
  });

  it('reads references the way they are written', () => {
    const table: [string, string, boolean, string[]][] = [
      ['a.yaml', '        image: kubelab/hello:v1', true, ['kubelab/hello:v1']],
      ['a.yaml', '        image: mysql:5.7', true, ['mysql:5.7']],
      ['a.yaml', '        image: mysql:5.7   # not-built: pulled from Docker Hub', true, []],
      ['a.ts', "const IMAGE = 'kubelab/busybox:test';", true, ['kubelab/busybox:test']],
      ['a.ts', "spec: { containers: [{ name: 'c', image: 'nginx' }] }", true, ['nginx']],
      ['a.ts', "spec: { containers: [{ name: 'c', image: 'nginx' }] }", false, []],
      ['a.ts', 'spec: { containers: [{ name: "web", image: APP_IMAGE }] }', true, []],
      ['a.ts', "kubectl(['run', 'x', '--image=kubelab/pause:1'])", true, ['kubelab/pause:1']],
      ['a.md', 'kubelab run web --image kubelab/hello:v2', true, ['kubelab/hello:v2']],
      ['a.md', 'built from busybox as kubelab/busybox:1.', false, ['kubelab/busybox:1']],
      ['a.ts', "new DockerRuntime({ infraImage: 'kubelab/absent:0' })", false, ['kubelab/absent:0']],
      ['a.ts', "'io.kubelab/managed': 'true'", true, []],
      ['a.ts', "assert.match(out, /Image:\\s+kubelab\\/hello:v1/)", true, []],
    ];
    for (const [file, line, literals, expected] of table) {
      assert.deepEqual(imageReferences(file, line, literals).map((ref) => ref.image).sort(), expected.sort(), line);
    }
  });

  it('names no image that scripts/build-images.sh does not build', () => {
    const built = builtImages(fs.readFileSync(path.join(ROOT, 'scripts/build-images.sh'), 'utf8'));
    const files = SCANNED.flatMap(walk).filter((file) => SCANNED_FILE.test(file) && file !== 'test/unit/image-references.test.ts');
    const references = files.flatMap((file) =>
      imageReferences(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), !file.startsWith(`test${path.sep}unit${path.sep}`)));
    assert.ok(references.length > 50, `found only ${references.length} references: is the scan looking in the right place?`);
    const missing = references.filter((ref) => !built.has(ref.image)).map((ref) => `${ref.file}:${ref.line}: ${ref.image}`);
    assert.deepEqual(missing, [],
      `these images are not built by scripts/build-images.sh: build them there, use a built one, or mark the line "${MARKER} <why>"`);
  });
});
