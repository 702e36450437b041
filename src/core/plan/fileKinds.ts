/**
 * What kind of file a path is, for deciding what the planner is shown by name. Lockfiles, images, binaries, minified
 * bundles and very large files are shown as counts per folder: their names cost tokens and tell a planner nothing.
 */

const LOCKFILES = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'bun.lock',
  'deno.lock',
  'cargo.lock',
  'poetry.lock',
  'pipfile.lock',
  'pdm.lock',
  'uv.lock',
  'composer.lock',
  'gemfile.lock',
  'go.sum',
  'go.work.sum',
  'flake.lock',
  'mix.lock',
  'pubspec.lock',
  'podfile.lock',
  'packages.lock.json',
  'gradle.lockfile',
  'package.resolved',
]);

const BINARY_EXTENSIONS = new Set(
  (
    'png jpg jpeg gif webp ico bmp tif tiff psd ai sketch fig heic avif svgz ' +
    'woff woff2 ttf otf eot ' +
    'mp3 mp4 wav ogg oga flac aac m4a mov avi mkv webm ' +
    'zip tar gz tgz bz2 xz 7z rar jar war ear whl egg nupkg apk ipa dmg iso ' +
    'exe dll so dylib a o obj lib class pyc pyo pyd wasm bin dat ' +
    'db sqlite sqlite3 mdb pdf doc docx xls xlsx ppt pptx odt ' +
    'npy npz pkl pickle parquet onnx pt pth h5 hdf5 ckpt safetensors tflite'
  ).split(' '),
);

/** A text file past this size is data or generated output; its name is shown in a count, its text never searched. */
export const LARGE_FILE_BYTES = 1_000_000;

export type LowValueKind = 'lockfile' | 'binary' | 'minified' | 'large';

/** Why a file is shown as a count rather than by name, or undefined for a file worth naming. */
export function lowValueKind(rel: string, size: number | undefined): LowValueKind | undefined {
  const base = rel.slice(rel.lastIndexOf('/') + 1).toLowerCase();
  if (LOCKFILES.has(base) || base.endsWith('.lock')) {
    return 'lockfile';
  }
  const dot = base.lastIndexOf('.');
  const ext = dot < 0 ? '' : base.slice(dot + 1);
  if (BINARY_EXTENSIONS.has(ext)) {
    return 'binary';
  }
  if (/\.min\.(js|css|mjs)$/.test(base) || ext === 'map') {
    return 'minified';
  }
  return size !== undefined && size > LARGE_FILE_BYTES ? 'large' : undefined;
}

/** Words in a path that mark code which supports the project rather than being it. */
const SUPPORT_SEGMENTS: Record<string, SupportKind> = {
  test: 'test',
  tests: 'test',
  __tests__: 'test',
  spec: 'test',
  specs: 'test',
  testing: 'test',
  testdata: 'fixture',
  fixture: 'fixture',
  fixtures: 'fixture',
  __fixtures__: 'fixture',
  samples: 'fixture',
  sample: 'fixture',
  snapshots: 'snapshot',
  __snapshots__: 'snapshot',
  snapshot: 'snapshot',
  examples: 'example',
  example: 'example',
  demo: 'example',
  demos: 'example',
  benchmark: 'test',
  benchmarks: 'test',
  bench: 'test',
  generated: 'generated',
  __generated__: 'generated',
  // Built output committed or shipped beside the sources (a package's bundles).
  dist: 'generated',
};

export type SupportKind = 'test' | 'fixture' | 'snapshot' | 'example' | 'generated' | 'types';

/**
 * The kind of supporting code a path is (tests, fixtures, snapshots, examples, generated code), from its folders and
 * its name (`foo.test.ts`, `test_foo.py`, `foo_test.go`, `FooTest.java`, `.snap`), or undefined for the project's code.
 */
export function supportKind(rel: string): SupportKind | undefined {
  const parts = rel.split('/');
  const name = parts.pop() ?? '';
  const base = name.toLowerCase();
  let found: SupportKind | undefined;
  for (const part of parts) {
    const kind = SUPPORT_SEGMENTS[part.toLowerCase()];
    // Fixtures inside tests are fixtures: the most specific word wins.
    if (kind && (found === undefined || found === 'test')) {
      found = kind;
    }
  }
  if (found) {
    return found;
  }
  // Type declarations of a JavaScript package mirror its code: every file names their types, yet the work is elsewhere.
  if (/\.d\.[mc]?ts$/.test(base)) {
    return 'types';
  }
  if (base.endsWith('.snap') || base.endsWith('.snap.ts')) {
    return 'snapshot';
  }
  if (/\.(test|spec|e2e)\.[a-z]+$/.test(base) || /^test_.*\.py$/.test(base) || /_test\.(go|py|rb|exs?)$/.test(base)) {
    return 'test';
  }
  if (/[a-z0-9](Tests?|Spec)\.(java|kt|cs|scala|swift)$/.test(name)) {
    return 'test';
  }
  if (/\.(generated|gen|pb)\.[a-z]+$/.test(base) || /_pb2(_grpc)?\.py$/.test(base) || /\.g\.dart$/.test(base)) {
    return 'generated';
  }
  return undefined;
}
