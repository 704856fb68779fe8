import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { apiCommand } from './commands/api.ts';
import { appointmentTypesCommand } from './commands/appointment-types.ts';
import { auditCommand } from './commands/audit.ts';
import { documentsCommand } from './commands/documents.ts';
import { eventsCommand } from './commands/events.ts';
import { hl7Command } from './commands/hl7.ts';
import { importCommand } from './commands/import.ts';
import { invoicesCommand } from './commands/invoices.ts';
import { inviteCommand, invitesCommand } from './commands/invites.ts';
import { jobsCommand } from './commands/jobs.ts';
import { keysCommand } from './commands/keys.ts';
import { adminCommand, migrateCommand, serveCommand, workerCommand } from './commands/local.ts';
import { loginCommand, logoutCommand, whoamiCommand } from './commands/login.ts';
import { onCallCommand } from './commands/on-call.ts';
import { passwordCommand } from './commands/password.ts';
import { patientsCommand } from './commands/patients.ts';
import { paymentsCommand } from './commands/payments.ts';
import { practiceCommand } from './commands/practice.ts';
import { exportCommand } from './commands/export.ts';
import { questionsCommand } from './commands/questions.ts';
import { reportCommandGroup } from './commands/report.ts';
import { servicesCommand } from './commands/services.ts';
import { taxRatesCommand } from './commands/tax-rates.ts';
import { tokensCommand } from './commands/tokens.ts';
import { usersCommand } from './commands/users.ts';
import { describeError } from './exit-codes.ts';
import { printJson } from './output.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** `--version` is the program's only option, so it counts only before a command: `questions show --version 2` keeps its own. */
export function buildProgram(): Command {
  const program = new Command('pams').description('PAMS: the Patient Assessment & Management System').version(version).enablePositionalOptions().exitOverride();
  for (const command of [
    serveCommand,
    workerCommand,
    migrateCommand,
    adminCommand,
    keysCommand,
    loginCommand,
    logoutCommand,
    whoamiCommand,
    passwordCommand,
    inviteCommand,
    invitesCommand,
    usersCommand,
    practiceCommand,
    tokensCommand,
    auditCommand,
    eventsCommand,
    onCallCommand,
    patientsCommand,
    paymentsCommand,
    documentsCommand,
    appointmentTypesCommand,
    servicesCommand,
    taxRatesCommand,
    invoicesCommand,
    questionsCommand,
    jobsCommand,
    exportCommand,
    reportCommandGroup,
    importCommand,
    hl7Command,
    apiCommand,
  ]) {
    program.addCommand(command);
  }
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and returns its exit code; every failure passes through one handler. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    const { exitCode, message, data } = describeError(error);
    if (argv.includes('--json') && message) printJson({ error: message, exitCode, ...data });
    else if (message) process.stderr.write(`error: ${message}\n`);
    return exitCode;
  }
}
