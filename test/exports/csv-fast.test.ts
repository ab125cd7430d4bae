import { describe, expect, it } from 'vitest';
import { csvLine, csvRecord } from '../../main/core/export/csv';

// The exports' fast CSV record writer must write exactly what the guarded writer writes.
const HOSTILE = ['=1+1', '+1', '-2+3', '@SUM(1)', '\t=1', '\r=1', '\uFF1D1', '\uFF0B1', '\uFF0D1', '\uFF20x', 'a,b', 'say "hi"', 'line\nbreak', 'cr\ronly', 'semi;colon', "'quoted", ' lead space', '', 'plain text', 'ünïcødé', 'a\u2028b'];
const VALUES: unknown[] = [...HOSTILE, null, undefined, 0, -12.5, 3, 1e21, NaN, Infinity, true, false, 12345678901234567890n, new Date(0), { a: 1 }, ['x', 'y']];

describe('csvRecord writes the same record as csvLine', () => {
  it('for every hostile, quoted, empty and typed cell, alone and in a row', () => {
    for (const v of VALUES) expect(csvRecord([v]), JSON.stringify(String(v))).toBe(csvLine([v]));
    expect(csvRecord(VALUES)).toBe(csvLine(VALUES));
  });

  it('for random text drawn from the characters that matter', () => {
    const chars = ['a', '1', ',', '"', '\n', '\r', ';', '=', '+', '-', '@', '\t', '\uFF1D', ' ', "'"];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 5000; k++) {
      const s = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => chars[Math.floor(rnd() * chars.length)]).join('');
      expect(csvRecord([s, 'x']), JSON.stringify(s)).toBe(csvLine([s, 'x']));
    }
  });
});
