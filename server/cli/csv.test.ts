import { describe, expect, it } from 'vitest';
import { CsvError, formatCsv, parseCsv } from './csv';

describe('parseCsv', () => {
  it('reads plain, quoted and multi-line fields, CRLF or LF, and drops the BOM and blank lines', () => {
    const text = '\uFEFFemail,name\r\nann@corp.example,"Smith, Ann"\n\nbob@corp.example,"Bob ""The Builder"""\r\ncy@corp.example,"two\nlines"\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['email', 'name'] },
      { line: 2, fields: ['ann@corp.example', 'Smith, Ann'] },
      { line: 4, fields: ['bob@corp.example', 'Bob "The Builder"'] },
      { line: 5, fields: ['cy@corp.example', 'two\nlines'] },
    ]);
  });

  it('keeps empty fields and a last line without a newline', () => {
    expect(parseCsv('a,,c\nd,e,')).toEqual([
      { line: 1, fields: ['a', '', 'c'] },
      { line: 2, fields: ['d', 'e', ''] },
    ]);
  });

  it('says which line is malformed', () => {
    expect(() => parseCsv('a,b\n"open,x\n')).toThrow(new CsvError(2, 'a quoted field is never closed'));
    expect(() => parseCsv('a,b\nx"y,z\n')).toThrow(/^line 2: a quote in the middle of an unquoted field/);
    expect(() => parseCsv('a\n"x"y\n')).toThrow(/^line 2: text after a closing quote/);
  });

  it('reads back what formatCsv writes', () => {
    const rows = [['email', 'link'], ['a@b', 'x,"y"\nz'], ['', 'plain']];
    expect(parseCsv(formatCsv(rows)).map((record) => record.fields)).toEqual(rows);
  });
});
