import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...(await sourceFiles(full)));
    } else if (entry.name.endsWith('.ts')) {
      out.push(full);
    }
  }
  return out;
}

describe('layering', () => {
  for (const layer of ['src/core', 'src/cli']) {
    it(`${layer} runs in plain Node: no file imports vscode`, async () => {
      const files = await sourceFiles(path.join(ROOT, layer));
      assert.ok(files.length > 0, `${layer} has no sources`);
      const offenders: string[] = [];
      for (const file of files) {
        const text = await fs.readFile(file, 'utf8');
        if (/from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\)/.test(text)) {
          offenders.push(path.relative(ROOT, file));
        }
      }
      assert.deepEqual(offenders, []);
    });
  }
});
