import type { Row } from '../report';
import type { StagedExtension } from '../stage';
import { fmtBytes } from '../stats';

const LIMIT = 1.5 * 1024 * 1024;

/** Size of the bundles `node esbuild.js --production` writes (dist/*.js), and of the .vsix `vsce package` makes. */
export function bundleRow(staged: StagedExtension): Row {
  const pass = staged.extensionBytes <= LIMIT;
  return {
    id: 'bundle',
    metric: 'extension bundle',
    value: `${fmtBytes(staged.extensionBytes)} (.vsix ${fmtBytes(staged.vsixBytes)})`,
    goal: '≤ 1.5 MB bundle',
    verdict: pass ? 'PASS' : 'MISS',
    detail:
      `dist/*.js from \`node esbuild.js --production\`: ${staged.extensionBytes.toLocaleString('en-US')} bytes ` +
      `(${Object.entries(staged.bundleBytes)
        .map(([f, n]) => `${f} ${n.toLocaleString('en-US')}`)
        .join(
          ', ',
        )}; built in ${(staged.buildMs / 1000).toFixed(1)} s); .vsix from \`vsce package --no-dependencies\`: ` +
      `${staged.vsixBytes.toLocaleString('en-US')} bytes (packaged in ${(staged.packageMs / 1000).toFixed(1)} s)`,
    ...(pass
      ? {}
      : {
          reason:
            'the production bundle is over 1.5 MB: find the largest inputs with esbuild --metafile and drop or ' +
            'lazy-load them',
        }),
    data: { extensionBytes: staged.extensionBytes, vsixBytes: staged.vsixBytes },
  };
}
