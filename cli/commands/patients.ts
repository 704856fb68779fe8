import { Option, type Command } from 'commander';
import { patientStatuses, type PatientStatus } from '../../shared/enums.ts';
import type { RouterOutputs } from '../../shared/client.ts';
import { createCommand, remote, type GlobalOptions } from '../command.ts';
import { printRecord, printRows, type Column } from '../output.ts';

type PatientRow = RouterOutputs['patients']['search']['items'][number];
const columns: Column<PatientRow>[] = [
  { header: 'id', value: (p) => p.id },
  { header: 'mrn', value: (p) => p.mrn },
  { header: 'name', value: (p) => `${p.familyName}, ${p.givenName}` },
  { header: 'birth date', value: (p) => p.birthDate },
  { header: 'email', value: (p) => p.email },
  { header: 'status', value: (p) => p.status },
];

export const patientsCommand = createCommand('patients').description("find and read your practice's patients (clinicians and admins)");

type SearchOptions = { name?: string; mrn?: string; email?: string; phone?: string; birthDate?: string; status?: PatientStatus; limit: number; cursor?: string };

patientsCommand
  .command('search')
  .description('patients matching all the filters given, by name')
  .argument('[query]', 'free text: part of a name, an MRN, an email or a phone number')
  .option('--name <name>', 'part of the name')
  .option('--mrn <mrn>', 'medical record number')
  .option('--email <email>', 'email')
  .option('--phone <phone>', 'phone number')
  .option('--birth-date <date>', 'date of birth, YYYY-MM-DD')
  .addOption(new Option('--status <status>', 'default: active').choices(patientStatuses))
  .option('--limit <n>', 'rows per page (1-100)', (v) => Number(v), 25)
  .option('--cursor <cursor>', 'continue from a previous page (nextCursor in --json output)')
  .action(async (query: string | undefined, opts: SearchOptions, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const { name, mrn, email, phone, birthDate, status, limit, cursor } = opts;
    const page = await api.patients.search.query({ query, name, mrn, email, phone, birthDate, status, limit, cursor });
    printRows(page.items, columns, json, page);
  });

patientsCommand
  .command('show')
  .description("one patient's record")
  .argument('<id>', 'patient id')
  .action(async (id: string, _opts, cmd: Command) => {
    const { api, json } = remote(cmd.optsWithGlobals<GlobalOptions>());
    const patient = await api.patients.byId.query({ id });
    if (json) return printRecord(patient, true);
    const { middleNames, address, emergencyContact, ...rest } = patient;
    printRecord(
      {
        ...rest,
        middleNames: middleNames.join(' '),
        address: address && [...address.lines, address.city, address.region, address.postalCode, address.country].filter(Boolean).join(', '),
        emergencyContact: emergencyContact && `${emergencyContact.name} (${emergencyContact.relationship}) ${emergencyContact.phone}`,
      },
      false,
    );
  });
