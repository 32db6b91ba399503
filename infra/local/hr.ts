import { parseArgs } from 'node:util';
import { hrDetailTypes } from '#offboarding/hr-events';

/**
 * What the City's HR system does in AWS (an event on the HR bus), against the running local stack:
 *   npm run hr -- separated <employeeId> [--date YYYY-MM-DD]
 *   npm run hr -- updated <employeeId> --name … --email … --department … [--title …] [--supervisor …] [--status ACTIVE|SEPARATED]
 *   npm run hr -- department <code> --name … --director <id> --designee <id>
 *   npm run hr -- role <ROLE> --holder <id> --designee <id>
 *   npm run hr -- role-removed <ROLE>
 * The event goes through the same rule and consumer as in AWS (POST /dev/hr/events). Directory
 * events carry effectiveAt = now and sequence 0 (`--sequence` to set one): the newest change wins.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    date: { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string' },
    department: { type: 'string' },
    title: { type: 'string' },
    supervisor: { type: 'string' },
    status: { type: 'string', default: 'ACTIVE' },
    director: { type: 'string' },
    designee: { type: 'string' },
    holder: { type: 'string' },
    sequence: { type: 'string', default: '0' },
    source: { type: 'string', default: 'cabq.hr' },
    port: { type: 'string', default: '3000' },
  },
});

const [kind, subject] = positionals;
const usage = [
  'Usage: npm run hr -- separated <employeeId> [--date YYYY-MM-DD]',
  '       npm run hr -- updated <employeeId> --name … --email … --department … [--title …] [--supervisor …] [--status ACTIVE|SEPARATED]',
  '       npm run hr -- department <code> --name … --director <employeeId> --designee <employeeId>',
  '       npm run hr -- role <ROLE> --holder <employeeId> --designee <employeeId>',
  '       npm run hr -- role-removed <ROLE>',
].join('\n');
const kinds = {
  separated: hrDetailTypes.separated,
  updated: hrDetailTypes.employee,
  department: hrDetailTypes.department,
  role: hrDetailTypes.roleAssigned,
  'role-removed': hrDetailTypes.roleRemoved,
} as const;
if (!kind || !(kind in kinds) || !subject) {
  console.error(usage);
  process.exit(2);
}

const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver' }).format(new Date());
const ordering = { effectiveAt: new Date().toISOString(), sequence: Number(values.sequence) };
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const details: Record<keyof typeof kinds, () => Record<string, unknown>> = {
  separated: () => ({ employeeId: subject, separationDate: values.date ?? today }),
  updated: () =>
    defined({
      employeeId: subject,
      name: values.name,
      email: values.email,
      departmentCode: values.department,
      title: values.title,
      supervisorId: values.supervisor,
      status: values.status,
      ...ordering,
    }),
  department: () => defined({ code: subject, name: values.name, directorId: values.director, designeeId: values.designee, ...ordering }),
  role: () => defined({ role: subject, holderId: values.holder, designeeId: values.designee, ...ordering }),
  'role-removed': () => ({ role: subject, ...ordering }),
};
const chosen = kind as keyof typeof kinds;
const entry = { source: values.source, 'detail-type': kinds[chosen], detail: details[chosen]() };

let res: Response;
try {
  res = await fetch(`http://127.0.0.1:${values.port}/dev/hr/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(entry),
  });
} catch {
  console.error(`Could not reach the local stack on port ${values.port}. Start it with \`npm start\` first.`);
  process.exit(1);
}
const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string; record?: string; result?: string };
if (!res.ok) {
  // Refused by the rule or the consumer (malformed, or an employee the directory does not know): nothing changed.
  console.error(`Refused: ${body.message ?? JSON.stringify(body)}${body.error ? ` (${body.error}, HTTP ${res.status})` : ` (HTTP ${res.status})`}`);
  process.exit(1);
}
console.log(
  `Put "${entry['detail-type']}" for ${subject}${body.result ? ` (${body.result})` : ''}.${body.record ? ` Offboarding record: http://127.0.0.1:${values.port}${body.record}` : ''}`,
);
