/*
 * CSV as spreadsheets write it (RFC 4180): fields split by commas, quoted with "…" when they hold a
 * comma, a quote ("" inside) or a line break; CRLF or LF line ends; the UTF-8 byte-order mark Excel
 * puts first is dropped. Only what IT's employee exports need: no other separators or encodings.
 */

export interface CsvRecord {
  /** The line the record starts on, counted from 1 like an editor does. */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let afterQuote = false;
  let index = text.startsWith('\uFEFF') ? 1 : 0;
  const endRecord = () => {
    fields.push(field);
    // A blank line (or the end after a final newline) is no record.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    afterQuote = false;
  };
  for (; index < text.length; index += 1) {
    const char = text.charAt(index);
    if (quoted) {
      if (char === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index += 1;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (char === '\n') line += 1;
        field += char;
      }
      continue;
    }
    if (char === ',') {
      fields.push(field);
      field = '';
      afterQuote = false;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      endRecord();
      line += 1;
      recordLine = line;
    } else if (char === '"' && field === '' && !afterQuote) {
      quoted = true;
    } else if (afterQuote) {
      throw new CsvError(line, 'text after a closing quote: a quote inside a quoted field is written ""');
    } else if (char === '"') {
      throw new CsvError(line, 'a quote in the middle of an unquoted field: quote the whole field and write the quote as ""');
    } else {
      field += char;
    }
  }
  if (quoted) throw new CsvError(recordLine, 'a quoted field is never closed');
  endRecord();
  return records;
}

/** One field, quoted only when it must be. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function formatCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
