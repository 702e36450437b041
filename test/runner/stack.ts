import { findSourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FRAME = /(\(|at )([^()\s]+\.js):(\d+):(\d+)(\)?)$/;

/**
 * Rewrites bundled `out/…/*.js:line:col` frames to their TypeScript source. VS Code's extension host installs
 * its own `Error.prepareStackTrace`, which bypasses Node's source-map rewriting, so failures would otherwise point
 * into the bundle. Needs `process.setSourceMapsEnabled(true)` before the bundles load.
 */
export function mapStackToSource(stack: string, root: string): string {
  return stack
    .split('\n')
    .map((line) => {
      const m = FRAME.exec(line);
      if (!m?.[2]) {
        return line;
      }
      const file = path.isAbsolute(m[2]) ? m[2] : path.join(root, m[2]);
      const entry = findSourceMap(file)?.findEntry(Number(m[3]) - 1, Number(m[4]) - 1);
      if (!entry || !('originalSource' in entry)) {
        return line;
      }
      const source = entry.originalSource.startsWith('file:')
        ? fileURLToPath(entry.originalSource)
        : entry.originalSource;
      const mapped = `${path.relative(root, source)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
      return line.replace(FRAME, `${m[1]}${mapped}${m[5]}`);
    })
    .join('\n');
}
