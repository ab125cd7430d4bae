import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRIC_DEFINITIONS } from '../../main/core/performance/definitions';

/** docs/METRICS.md says what the app and the exports say, word for word. */
describe('metric definitions', () => {
  it('docs/METRICS.md lists every definition of METRIC_DEFINITIONS in the same words, and README links it', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const doc = fs.readFileSync(path.join(root, 'docs/METRICS.md'), 'utf8');
    const listed = doc.split('\n').filter((l) => l.startsWith('- **'));
    expect(listed).toEqual(METRIC_DEFINITIONS.map((d) => `- **${d.term}** — ${d.text}`));
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain('[docs/METRICS.md](docs/METRICS.md)');
  });
});
