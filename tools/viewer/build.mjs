// Bundles the viewer page and AWS's JavaScript SDKs for the browser into
// dist/ (index.html + viewer.js), which kvs-signaling-server serves under
// /viewer. Run `npm ci --legacy-peer-deps && npm run build` in this folder.
// `node build.mjs OUTDIR` (the meson build, tools/viewer/meson.build) writes
// the same files into OUTDIR instead, without emptying it first.

import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = process.argv[2];
const dist = outdir ? resolve(outdir) : join(here, 'dist');

// Node-only modules the SDKs name, replaced by browser stand-ins.
const browserStandIns = {
  name: 'browser-stand-ins',
  setup(build) {
    const standIns = {
      'isomorphic-webcrypto': join(here, 'webcrypto.js'),
      ws: join(here, 'ws.js'),
    };
    build.onResolve({ filter: /^(isomorphic-webcrypto|ws)$/ }, (args) => ({
      path: standIns[args.path],
    }));
  },
};

// The WebRTC SDK reports its version through process.env.PACKAGE_VERSION,
// which its own webpack build replaces: do the same.
const sdkPackage = JSON.parse(await readFile(
  join(here, 'node_modules', 'amazon-kinesis-video-streams-webrtc', 'package.json'), 'utf8'));

if (!outdir) {
  await rm(dist, { recursive: true, force: true });
}
await mkdir(dist, { recursive: true });

const result = await esbuild.build({
  entryPoints: [join(here, 'viewer.js')],
  outfile: join(dist, 'viewer.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [browserStandIns],
  define: {
    'process.env.NODE_ENV': '"production"',
    'process.env.PACKAGE_VERSION': JSON.stringify(sdkPackage.version),
  },
  metafile: true,
});

await copyFile(join(here, 'index.html'), join(dist, 'index.html'));

const bytes = Object.values(result.metafile.outputs)
  .reduce((sum, o) => sum + o.bytes, 0);
console.log(`viewer page built in ${dist} (${Math.round(bytes / 1024)} KiB)`);
