// Bundles the built CLI (dist/cli/main.js) into dist/bin/kubelab.js, the `kubelab` program.
//
// Why: a learner types kubelab commands all day and the tests shell out to it hundreds of times,
// so its start-up is paid everywhere. Loading yargs, YAML and our own modules as hundreds of
// separate ES module files cost more than the code itself (resolving, reading and linking each
// file): `kubelab version --client` used 4x the CPU of a bare `node -e 0` even with commands
// loaded lazily, and 2.8x once bundled. Each command stays its own chunk (code splitting), so a
// command still loads only what it uses. Packages with native parts (dockerode's ssh2 and
// cpu-features) and gRPC stay outside and load from node_modules, only for the commands that
// need them (`kubelab lab`).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry a content hash: clear the last build's, or they pile up.
rmSync('dist/bin', { recursive: true, force: true });

await build({
  entryPoints: { kubelab: 'dist/cli/main.js' },
  outdir: 'dist/bin',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['dockerode', 'ssh2', 'cpu-features', '@grpc/grpc-js', '@grpc/proto-loader'],
  // CommonJS packages inside an ES module bundle call require() for Node's built-ins.
  banner: { js: "import { createRequire as kubelabCreateRequire } from 'node:module'; const require = kubelabCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
