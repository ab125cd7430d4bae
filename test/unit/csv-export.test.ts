import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvLine, toCsv } from '../../main/core/export/csv';

// The one CSV writer every export uses (issue #18 item 2): OWASP CSV Injection guidance.
describe('guarded CSV writer', () => {
  it('prefixes a quote to text a spreadsheet would run as a formula (= + - @, full-width forms, tab, CR)', () => {
    const hostile = ['=1+1', '+1', '-1+1', '@SUM(A1)', '\t=1', '\r=1', '\uFF1D1', '\uFF0B1', '\uFF0D1', '\uFF20x', '-12.5'];
    const [back] = parseCsv(csvLine(hostile)) as string[][];
    expect(back).toEqual(hostile.map((h) => `'${h}`));
  });

  it('keeps numbers numeric, text as it is, and quotes commas, quotes and line breaks (RFC 4180)', () => {
    const line = csvLine([-12.5, 3, 10n, 'Ada, "the" first', 'two\nlines', null, undefined, true, { a: 1 }, Number.NaN]);
    expect(line.startsWith('-12.5,3,10,')).toBe(true);
    expect(parseCsv(line)).toEqual([['-12.5', '3', '10', 'Ada, "the" first', 'two\nlines', '', '', 'true', '{"a":1}', 'NaN']]);
  });

  it('toCsv: a guarded header and rows, CRLF line ends', () => {
    expect(toCsv(['a', '=b'], [['x', -1], ['@y', 2]])).toBe("a,'=b\r\nx,-1\r\n'@y,2\r\n");
  });
});

describe('a separator or line break inside a cell cannot start a new cell', () => {
  it('quotes cells holding CR, LF, "," or ";" (";" separates cells where the decimal mark is a comma)', () => {
    const cells = ['a\r=1+1', 'b\n=1+1', 'c;=1+1', 'd,=1+1'];
    const line = csvLine(cells);
    expect(line).toBe('"a\r=1+1","b\n=1+1","c;=1+1","d,=1+1"');
    expect(parseCsv(line)).toEqual([cells]);
  });
});
