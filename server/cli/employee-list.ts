import { displayNameSchema, userIdSchema } from '../../shared/protocol';
import { CsvError, parseCsv } from './csv';

/*
 * The employee list IT exports for a bulk invite: a CSV with a header row naming the columns
 * `email`, `name` and optionally `team` (any order, any case; other columns are ignored, as HR
 * exports carry many). The e-mail address, lower-cased, is the person's Sealcall user id.
 */

export interface Employee {
  line: number;
  userId: string;
  email: string;
  name: string;
  team: string;
}

export interface EmployeeList {
  employees: Employee[];
  /** Header columns that were not used, for a note. */
  ignoredColumns: string[];
  /** Every problem, each with its line: the list is taken whole or not at all. */
  problems: string[];
}

export const MAX_EMPLOYEES = 100_000;
const MAX_TEAM_LENGTH = 80;
// Deliberately plain: the address only has to be one IT can mail to and a valid user id.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CONTROL = /\p{Cc}/u;

export function readEmployeeList(text: string): EmployeeList {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) return { employees: [], ignoredColumns: [], problems: [error.message] };
    throw error;
  }
  const [header, ...rows] = records;
  if (header === undefined) return { employees: [], ignoredColumns: [], problems: ['the file is empty: it needs a header row "email,name,team" and one row per person'] };
  const columns = header.fields.map((field) => field.trim().toLowerCase());
  const at = (name: string) => columns.indexOf(name);
  const missing = ['email', 'name'].filter((name) => at(name) < 0);
  if (missing.length > 0) {
    return {
      employees: [],
      ignoredColumns: [],
      problems: [`line ${header.line}: the header row must name the columns email and name (and optionally team); ${missing.join(' and ')} missing, found: ${columns.join(', ')}`],
    };
  }
  const duplicateColumn = columns.find((name, index) => ['email', 'name', 'team'].includes(name) && columns.indexOf(name) !== index);
  if (duplicateColumn !== undefined) return { employees: [], ignoredColumns: [], problems: [`line ${header.line}: the column ${duplicateColumn} is named twice`] };
  if (rows.length > MAX_EMPLOYEES) return { employees: [], ignoredColumns: [], problems: [`the list has ${rows.length} people; at most ${MAX_EMPLOYEES} at once`] };

  const employees: Employee[] = [];
  const problems: string[] = [];
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    const field = (name: string) => (row.fields[at(name)] ?? '').trim();
    const where = `line ${row.line}`;
    if (row.fields.length !== columns.length) {
      problems.push(`${where}: ${row.fields.length} fields where the header has ${columns.length} (a name with a comma must be in "quotes")`);
      continue;
    }
    const email = field('email').toLowerCase();
    const name = field('name');
    const team = at('team') < 0 ? '' : field('team');
    if (!EMAIL.test(email)) {
      problems.push(`${where}: '${email}' is not an e-mail address`);
      continue;
    }
    const userId = userIdSchema.safeParse(email);
    if (!userId.success) {
      problems.push(`${where}: '${email}' cannot be a user id (at most 64 of a-z 0-9 . _ @ + -)`);
      continue;
    }
    if (!displayNameSchema.safeParse(name).success) {
      problems.push(`${where}: the name must be 1 to 80 characters with no control characters`);
      continue;
    }
    if (team.length > MAX_TEAM_LENGTH || CONTROL.test(team)) {
      problems.push(`${where}: the team must be at most ${MAX_TEAM_LENGTH} characters with no control characters`);
      continue;
    }
    const earlier = firstLine.get(userId.data);
    if (earlier !== undefined) {
      problems.push(`${where}: ${email} is already on line ${earlier}`);
      continue;
    }
    firstLine.set(userId.data, row.line);
    employees.push({ line: row.line, userId: userId.data, email, name, team });
  }
  const ignoredColumns = columns.filter((name) => !['email', 'name', 'team'].includes(name));
  return { employees, ignoredColumns, problems };
}
