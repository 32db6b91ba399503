import { stringify } from 'csv-stringify/sync';

/*
 * The records export's CSV text (RFC 4180, written by csv-stringify) and what its reader is told
 * about it. The bytes must stay as they were: the manifest lists each file's SHA-256, and
 * test/unit/record-digests.test.ts pins them.
 */

export type Cell = string | number | boolean | null | readonly string[];
export type Row = Record<string, Cell>;

const formulaStart = /^[=+\-@\t\r]/;

/**
 * A cell's text. A cell a spreadsheet would run as a formula (starting with = + - @, a tab or a
 * carriage return) gets a leading apostrophe, so it shows as text (formula injection). Done here,
 * not with csv-stringify's `escape_formulas`: that one leaves negative numbers alone and also
 * escapes full-width = + - @, which would change the bytes (and checksums) of exports made so far.
 */
function cellText(value: Cell): string {
  const text = value === null ? '' : typeof value === 'object' ? value.join('\n') : String(value);
  return formulaStart.test(text) ? `'${text}` : text;
}

/**
 * RFC 4180 as csv-stringify writes it: a field is quoted when it holds a comma, quote or line break,
 * quotes doubled, an empty field left bare. Cells reach it as text already, so none of its type
 * casts (booleans as 1 or empty, arrays as JSON) applies.
 */
const csvOptions = {
  delimiter: ',',
  quote: '"',
  record_delimiter: '\r\n',
  // Given a record_delimiter, csv-stringify would quote only a field holding the whole CRLF; a lone CR or LF must be quoted too.
  quote_record_delimiter: true,
} as const;

/** One CSV cell, quoted as in a file. */
export function csvCell(value: Cell): string {
  return stringify([[cellText(value)]], { ...csvOptions, eof: false });
}

/** A UTF-8 byte-order mark first, so spreadsheet programs read accented names as written; CRLF after every row. */
export function toCsv(columns: readonly string[], rows: Row[]): string {
  // Every field a row carries has its column: export.json and the CSVs must say the same.
  const missing = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter((k) => !columns.includes(k));
  if (missing.length) throw new Error(`CSV columns missing for ${missing.join(', ')}`);
  const lines = [columns.map(cellText), ...rows.map((row) => columns.map((c) => cellText(row[c] ?? null)))];
  return stringify(lines, { ...csvOptions, bom: true, eof: true });
}

export const csvNote =
  'RFC 4180: comma-separated, CRLF line ends, a field holding a comma, double quote or line break is in double quotes with its quotes doubled; UTF-8 with a byte-order mark; lists are one item per line in their cell. ' +
  "Spreadsheet formulas are neutralised: a cell that starts with =, +, -, @, a tab or a carriage return begins with an added apostrophe (') so a spreadsheet shows it as text instead of running it. export.json holds every value unchanged.";
