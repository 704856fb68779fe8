import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPractice, inviteUser, type TestUser } from '../fixtures.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { documentedProcedures } from '../../server/modules/openapi/openapi-document.ts';

let t: TestServer;
let admin: TestUser;
let clinician: TestUser;
let doc: any;

beforeAll(async () => {
  t = await startTestServer();
  ({ admin } = await createPractice(t));
  clinician = await inviteUser(t, admin);
  doc = await (await t.fetch(`${t.url}/openapi.json`)).json();
});
afterAll(() => t.close());

describe('/openapi.json', () => {
  it('is an OpenAPI 3.1 document of every listed procedure, with valid JSON Schema 2020-12 inputs', () => {
    expect(doc).toMatchObject({
      openapi: '3.1.0',
      info: { title: 'PAMS API' },
      servers: [{ url: 'http://pams.test' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    });
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const procedure of documentedProcedures) {
      const item = doc.paths[`/trpc/${procedure}`];
      const operation = item.get ?? item.post;
      expect(operation.operationId).toBe(procedure);
      const schema = item.get ? operation.parameters[0].content['application/json'].schema : operation.requestBody.content['application/json'].schema;
      expect(() => ajv.compile(schema), procedure).not.toThrow();
    }
    expect(doc.paths['/trpc/patients.create'].post.requestBody.content['application/json'].schema.required).toEqual(['givenName', 'familyName', 'birthDate', 'gender']);
    expect(doc.paths['/trpc/patients.byId'].get.parameters[0]).toMatchObject({ name: 'input', in: 'query', required: true });
    expect(doc.paths['/trpc/exports.fhir'].get).toBeDefined();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/fhir/Patient/{id}/$everything', '/fhir/$export', '/hl7/v2']));
    for (const verb of ['begin', 'add', 'commit', 'cancel']) expect(doc.paths[`/trpc/imports.${verb}`].post, verb).toBeDefined();
    expect(doc.paths['/trpc/hl7.receive'].post.requestBody.content['application/json'].schema.required).toEqual(['message']);
    expect(doc.paths['/trpc/reports.reminders'].get).toBeDefined();
    // The input bounds are in the document: instants' and dates' ranges, text's pattern and length.
    const report = doc.paths['/trpc/reports.reminders'].get.parameters[0].content['application/json'].schema;
    expect(report.properties.from).toMatchObject({ format: 'date-time', formatMinimum: '1900-01-01T00:00:00Z', formatMaximum: '2200-12-31T23:59:59.999Z' });
    const patient = doc.paths['/trpc/patients.create'].post.requestBody.content['application/json'].schema;
    expect(patient.properties.birthDate).toMatchObject({ format: 'date', formatMinimum: '1850-01-01', formatMaximum: '2200-12-31' });
    expect(patient.properties.givenName).toMatchObject({ maxLength: 100, pattern: expect.stringContaining('\\uD800-\\uDFFF') });
    expect(doc.tags.map((tag: { name: string }) => tag.name)).toEqual(expect.arrayContaining(['imports', 'hl7', 'notes', 'steps', 'reports', 'fhir']));
  });

  it('describes the API as it answers: a script following it with an API token gets what it says', async () => {
    const { token } = await t.client(clinician.token).tokens.create.mutate({ name: 'script' });
    const headers = { authorization: `Bearer ${t.secret(token)}`, 'content-type': 'application/json' };
    const input = { givenName: 'Script', familyName: 'Made', birthDate: '1990-05-06', gender: 'other' };
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    expect(ajv.validate(doc.paths['/trpc/patients.create'].post.requestBody.content['application/json'].schema, input)).toBe(true);
    const created = await t.fetch(`${t.url}/trpc/patients.create`, { method: 'POST', headers, body: JSON.stringify(input) });
    expect(created.status).toBe(200);
    const { result } = (await created.json()) as { result: { data: { id: string } } };
    const read = await t.fetch(`${t.url}/trpc/patients.byId?input=${encodeURIComponent(JSON.stringify({ id: result.data.id }))}`, { headers });
    expect(((await read.json()) as { result: { data: { familyName: string } } }).result.data.familyName).toBe('Made');
    const bad = await t.fetch(`${t.url}/trpc/patients.create`, { method: 'POST', headers, body: JSON.stringify({ ...input, birthDate: 'soon' }) });
    expect(bad.status).toBe(400);
    const error = (await bad.json()) as { error: { data: { fieldErrors: Record<string, string[]> } } };
    expect(ajv.validate(doc.components.schemas.Error, error)).toBe(true);
    expect(error.error.data.fieldErrors.birthDate).toBeDefined();
  });

  it('describes the staged import as scripts call it: begin, then cancel, with inputs the document accepts', async () => {
    const headers = { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' };
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const call = async (procedure: string, input: unknown) => {
      expect(ajv.validate(doc.paths[`/trpc/${procedure}`].post.requestBody.content['application/json'].schema, input), procedure).toBe(true);
      const res = await t.fetch(`${t.url}/trpc/${procedure}`, { method: 'POST', headers, body: JSON.stringify(input) });
      expect(res.status, procedure).toBe(200);
      return ((await res.json()) as { result: { data: any } }).result.data;
    };
    const { id } = await call('imports.begin', { type: 'patients' });
    await call('imports.cancel', { importId: id });
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
