// Builds the widget three ways (see README "Embedding"):
//   dist/cdn/widget.js               the loader for the script tag (IIFE, minified), short cache
//   dist/cdn/widget/panel.<hash>.js  the chat panel + transport it imports on first open, cached for good
//   dist/esm/                        ES modules for bundlers (the panel is a lazy chunk there too)
// plus .gz and .br twins of the CDN files (the gateway serves them as they are) and a size manifest.
// esbuild: one fast, dependency-free binary that bundles, minifies and content-hashes; writing our own
// bundler is out of the question and the others (rollup + terser, webpack) are far heavier for this job.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const cdn = join(root, 'dist', 'cdn');
// Browsers from the last ~4 years (all have class private fields, so esbuild can shorten their names).
const target = ['chrome92', 'edge92', 'firefox90', 'safari15'];
const common = { bundle: true, target, legalComments: 'none', charset: 'utf8', logLevel: 'warning', absWorkingDir: root };

const panel = await build({
  ...common,
  entryPoints: { panel: 'src/panel/index.ts' },
  format: 'esm',
  minify: true,
  outdir: join(cdn, 'widget'),
  entryNames: '[name].[hash]',
  metafile: true,
});
const panelFile = Object.keys(panel.metafile.outputs).find((file) => file.endsWith('.js'));
const panelPath = `widget/${basename(panelFile)}`;

await build({
  ...common,
  entryPoints: ['src/loader.ts'],
  format: 'iife',
  minify: true,
  outfile: join(cdn, 'widget.js'),
  define: { __BB_PANEL__: JSON.stringify(panelPath), __BB_VERSION__: JSON.stringify(version) },
});

await build({
  ...common,
  entryPoints: ['src/index.ts'],
  format: 'esm',
  splitting: true,
  minify: false,
  outdir: join(root, 'dist', 'esm'),
  chunkNames: 'chunks/[name].[hash]',
  define: { __BB_VERSION__: JSON.stringify(version) },
});

const sizes = {};
for (const file of walk(cdn)) {
  const body = readFileSync(file);
  const gzip = gzipSync(body, { level: 9 });
  const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  writeFileSync(`${file}.gz`, gzip);
  writeFileSync(`${file}.br`, br);
  sizes[relative(cdn, file).split('\\').join('/')] = { bytes: body.length, gzip: gzip.length, brotli: br.length };
}
writeFileSync(join(cdn, 'manifest.json'), `${JSON.stringify({ version, loader: 'widget.js', panel: panelPath, files: sizes }, null, 2)}\n`);
for (const [name, size] of Object.entries(sizes)) {
  console.log(`${name.padEnd(32)} ${String(size.bytes).padStart(7)} B  gzip ${String(size.gzip).padStart(6)} B  brotli ${String(size.brotli).padStart(6)} B`);
}

function* walk(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (path.endsWith('.js')) yield path;
  }
}
