import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { astToString, openapiTS } from '@pams/openapi-typescript';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPatient, createPractice, inviteUser, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { openApiDocument } from '../../server/modules/openapi/openapi-document.ts';
import { appRouter } from '../../server/root-router.ts';

let t: TestServer;
let admin: TestUser;
let clinician: TestUser;
let doc: any;

/** Every query and mutation of the router, read from the router itself: a new procedure is checked without editing this file. */
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
  .filter(([, { _def }]) => _def.type !== 'subscription')
  .map(([name, { _def }]) => ({ name, method: _def.type === 'query' ? 'get' : 'post' }));
const operationOf = (name: string) => doc.paths[`/trpc/${name}`]?.get ?? doc.paths[`/trpc/${name}`]?.post;
const inputSchemaOf = (name: string) => {
  const operation = operationOf(name);
  return (operation.parameters?.[0] ?? operation.requestBody)?.content['application/json'].schema;
};
const resultSchemaOf = (name: string) => operationOf(name).responses['200'].content['application/json'].schema;
/** `result.data` says nothing: `{}` (a procedure without `.output`), or zod's `unrepresentable: 'any'` output. */
const untyped = (schema: object) => Object.keys(schema).filter((key) => key !== 'description').length === 0;

// Formats are not asserted (ajv-formats is not a dependency); the x- range extensions are unknown keywords to ajv.
const ajv = new Ajv2020({ strict: false, validateFormats: false });

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
  clinician = await inviteUser(t, admin);
  doc = await (await t.fetch(`${t.url}/openapi.json`)).json();
});
afterAll(() => t.close());

describe('/openapi.json', () => {
  it('passes swagger-parser and Redocly’s recommended rules', async () => {
    await SwaggerParser.validate(structuredClone(doc));
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config: await createConfig({ extends: ['recommended'] }) });
    // Allowed: tags without a description. The tags are the procedures' domains (`patients` for `patients.*`), which say it already.
    const allowed = new Set(['tag-description']);
    const reported = problems.filter((problem) => problem.severity === 'error' || !allowed.has(problem.ruleId));
    expect(reported.map((problem) => `${problem.severity} ${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer}`)).toEqual([]);
  });

  it('is the same bytes on every build, and served gzipped (under a tenth of the size) to a client that takes it', async () => {
    expect(JSON.stringify(openApiDocument('http://pams.test'))).toBe(JSON.stringify(openApiDocument('http://pams.test')));
    const plain = await fetch(`${t.url}/openapi.json`, { headers: { 'accept-encoding': 'identity' } });
    const zipped = await fetch(`${t.url}/openapi.json`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect([plain.headers.get('content-encoding'), zipped.headers.get('content-encoding')]).toEqual([null, 'gzip']);
    const text = await plain.text();
    expect(await zipped.text()).toBe(text);
    expect(JSON.parse(text)).toEqual(doc);
    expect(Number(zipped.headers.get('content-length'))).toBeLessThan(text.length / 10);
  });

  it('holds every query (GET, input in the query string) and every mutation (POST, input as body), and nothing else under /trpc', () => {
    expect(doc).toMatchObject({
      openapi: '3.1.0',
      info: { title: 'PAMS API' },
      servers: [{ url: 'http://pams.test' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    });
    expect(procedures.length).toBeGreaterThan(100);
    for (const { name, method } of procedures) {
      const item = doc.paths[`/trpc/${name}`];
      expect(item, name).toBeDefined();
      expect(Object.keys(item), name).toEqual([method]);
      expect(item[method]).toMatchObject({ operationId: name, tags: [name.split('.')[0]] });
      expect(() => ajv.compile(resultSchemaOf(name)), name).not.toThrow();
    }
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/trpc/'))).toEqual(procedures.map(({ name }) => `/trpc/${name}`));
    expect(doc.paths['/trpc/patients.byId'].get.parameters).toEqual([expect.objectContaining({ name: 'input', in: 'query', required: true })]);
    expect(doc.paths['/trpc/auth.me'].get.parameters).toEqual([]);
    expect(doc.paths['/trpc/auth.logout'].post.requestBody).toBeUndefined();
    expect(inputSchemaOf('patients.create').required).toEqual(['givenName', 'familyName', 'birthDate', 'gender']);
    expect(inputSchemaOf('hl7.receive').required).toEqual(['message']);
    for (const { name } of procedures) if (inputSchemaOf(name)) expect(() => ajv.compile(inputSchemaOf(name)), name).not.toThrow();
    // The input bounds are in the document: instants' and dates' ranges (as extensions), text's pattern and length.
    expect(inputSchemaOf('reports.reminders').properties.from).toMatchObject({ format: 'date-time', 'x-formatMinimum': '1900-01-01T00:00:00Z', 'x-formatMaximum': '2200-12-31T23:59:59.999Z' });
    const patient = inputSchemaOf('patients.create');
    expect(patient.properties.birthDate).toMatchObject({ format: 'date', 'x-formatMinimum': '1850-01-01', 'x-formatMaximum': '2200-12-31' });
    expect(patient.properties.givenName).toMatchObject({ maxLength: 100, pattern: expect.stringContaining('\\uD800-\\uDFFF') });
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/fhir/Patient/{id}/$everything', '/fhir/$export', '/hl7/v2']));
    expect(doc.tags.map((tag: { name: string }) => tag.name)).toEqual(expect.arrayContaining(['imports', 'hl7', 'notes', 'steps', 'reports', 'fhir']));
    // The stream is not an operation: left out, and the description says where it is documented.
    expect(doc.paths['/trpc/notifications.stream']).toBeUndefined();
    expect(doc.paths['/trpc/notifications.list']).toBeDefined();
    expect(doc.info.description).toMatch(/Subscriptions are not in this document.*notifications\.stream.*Live notifications/);
  });

  it('types every answer: no procedure’s `result.data` is left untyped', () => {
    const withoutOutput = procedures.filter(({ name }) => untyped(resultSchemaOf(name).properties.result.properties.data)).map(({ name }) => name);
    expect(withoutOutput, `procedures whose answer is untyped (give them .output): ${withoutOutput.join(', ')}`).toEqual([]);
  });

  it('generates TypeScript with openapi-typescript in which every answer has a type', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pams-openapi-'));
    try {
      await writeFile(path.join(dir, 'api.ts'), astToString(await openapiTS(structuredClone(doc))));
      // One line per procedure, which compiles only where its `result.data` has a type (not unknown, `{}` or `Record<string, never>`).
      const header = `import type { operations } from './api.ts';
type Data<K extends keyof operations> = operations[K] extends { responses: { 200: { content: { 'application/json': { result: { data: infer D } } } } } } ? D : 'no-result';
type Untyped<T> = unknown extends T ? true : T extends 'no-result' ? true : T extends Record<string, never> ? (Record<string, never> extends T ? true : false) : false;
export const typed: { [K in keyof operations]?: Untyped<Data<K>> extends true ? false : true } = {`;
      await writeFile(path.join(dir, 'check.ts'), [header, ...procedures.map(({ name }) => `  ${JSON.stringify(name)}: true,`), '};', ''].join('\n'));
      const compilerOptions = { strict: true, noEmit: true, noErrorTruncation: true, allowImportingTsExtensions: true, module: 'nodenext', target: 'es2023', types: [] };
      await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['check.ts'] }));
      const tsc = path.resolve(import.meta.dirname, '../../node_modules/typescript/bin/tsc');
      const { stdout } = await promisify(execFile)(process.execPath, [tsc, '-p', dir]).catch((error: { stdout: string }) => error);
      const errors = stdout.split('\n').filter(Boolean);
      const firstLine = header.split('\n').length + 1;
      const untypedProcedures = errors
        .map((error) => Number(/check\.ts\((\d+),/.exec(error)?.[1]))
        .filter((line) => line >= firstLine)
        .map((line) => procedures[line - firstLine]?.name);
      expect(untypedProcedures, `procedures untyped in the generated TypeScript: ${untypedProcedures.join(', ')}`).toEqual([]);
      expect(errors, 'tsc on the generated types').toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a script following the document, as a Python one would', () => {
  let patientId: string;
  beforeAll(async () => {
    patientId = (await createPatient(t, clinician.token, { givenName: 'Scripted', familyName: 'Follow' })).id;
    // An open alert for alerts.list to answer: PHQ-9 item 9 answered above 0.
    const { id } = await t.client(clinician.token).assessments.start.mutate({ patientId, questionnaireKey: 'phq-9' });
    const answers = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`phq9.${i + 1}`, i === 8 ? 'several-days' : 'not-at-all']));
    await t.client(clinician.token).assessments.submit.mutate({ id, answers });
  });

  /** A call as a script makes it, with plain HTTP: checks the input and the answer against the document. */
  async function call(name: string, input: unknown, token?: string) {
    expect(ajv.validate(inputSchemaOf(name), input), `${name} input: ${ajv.errorsText()}`).toBe(true);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) };
    const query = doc.paths[`/trpc/${name}`].get !== undefined;
    const url = `${t.url}/trpc/${name}${query ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ''}`;
    const response = await t.fetch(url, query ? { headers } : { method: 'POST', headers, body: JSON.stringify(input) });
    expect(response.status, name).toBe(200);
    const body = await response.json();
    expect(ajv.validate(resultSchemaOf(name), body), `${name} answer: ${ajv.errorsText()}`).toBe(true);
    return (body as { result: { data: any } }).result.data;
  }

  it('logs in, reads a questionnaire, a chart and the alerts, each answer as the document describes it', async () => {
    const { token } = await call('auth.login', { email: clinician.email, password: clinician.password });
    t.secret(token);
    expect((await call('questionnaires.byKey', { key: 'phq-9' }, token)).key).toBe('phq-9');
    expect((await call('patients.chart', { id: patientId }, token)).patient).toMatchObject({ id: patientId, familyName: 'Follow' });
    expect((await call('alerts.list', { patientId }, token)).items).toEqual([expect.objectContaining({ patientId, code: 'self-harm' })]);
  });

  it('creates and reads a patient with an API token, and a refused input is answered with the documented Error', async () => {
    const { token } = await t.client(clinician.token).tokens.create.mutate({ name: 'script' });
    const secret = t.secret(token);
    const input = { givenName: 'Script', familyName: 'Made', birthDate: '1990-05-06', gender: 'other' };
    const created = await call('patients.create', input, secret);
    expect((await call('patients.byId', { id: created.id }, secret)).familyName).toBe('Made');
    const bad = await t.fetch(`${t.url}/trpc/patients.create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...input, birthDate: 'soon' }),
    });
    expect(bad.status).toBe(400);
    const error = (await bad.json()) as { error: { data: { fieldErrors: Record<string, string[]> } } };
    expect(ajv.validate(doc.components.schemas.Error, error)).toBe(true);
    expect(error.error.data.fieldErrors.birthDate).toBeDefined();
  });

  it('stages an import as scripts do: begin, then cancel', async () => {
    const { id } = await call('imports.begin', { type: 'patients' }, admin.token);
    await call('imports.cancel', { importId: id }, admin.token);
  });
});

describe('/docs', () => {
  it('serves a reference page whose assets come from this server, not a CDN', async () => {
    const page = await t.fetch(`${t.url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/docs/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\//);
    for (const src of html.match(/(?:src|href)="([^"]+)"/g)!.map((m) => m.split('"')[1]!)) {
      // plain fetch: the bundle's own text would trip the harness's stack-trace check
      const asset = await fetch(`${t.url}${src}`);
      expect(asset.status, src).toBe(200);
    }
    expect((await fetch(`${t.url}/docs/swagger-ui-bundle.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${t.url}/docs/package.json`)).status).toBe(404);
    expect((await fetch(`${t.url}/docs/..%2Fpackage.json`)).status).toBe(404);
  });
});
