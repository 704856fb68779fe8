import { fhirResourceTypes } from '../../../shared/schemas/fhir.ts';
import { type JsonSchema, type ProcedureSchemas, procedureSchemas } from './procedure-schemas.ts';

const errorResponse = { $ref: '#/components/responses/Error' };

/** tRPC's answer over HTTP: `{ "result": { "data": <the procedure's output> } }`; untyped only where a procedure declares no output. */
function resultResponse(path: string, output: JsonSchema | null) {
  const data = { type: 'object', required: ['data'], properties: { data: output ?? {} } };
  return {
    description: `The result of \`${path}\`, in \`result.data\`.`,
    content: { 'application/json': { schema: { type: 'object', required: ['result'], properties: { result: data } } } },
  };
}

function operation({ path, type, input, output }: ProcedureSchemas) {
  const [tag] = path.split('.');
  const common = {
    operationId: path,
    tags: [tag],
    responses: { '200': resultResponse(path, output), '400': errorResponse, '401': errorResponse, '403': errorResponse, '404': errorResponse, '409': errorResponse },
  };
  if (type === 'query') {
    return {
      get: {
        ...common,
        summary: `${path} (query)`,
        ...(input && { description: 'The input is JSON, URL-encoded in the `input` query parameter.' }),
        parameters: input ? [{ name: 'input', in: 'query', required: true, content: { 'application/json': { schema: input } } }] : [],
      },
    };
  }
  return {
    post: {
      ...common,
      summary: `${path} (mutation)`,
      ...(input && { requestBody: { required: true, content: { 'application/json': { schema: input } } } }),
    },
  };
}

/**
 * The OpenAPI 3.1 document of the API as it is called over plain HTTP: every query is
 * `GET /trpc/<procedure>?input=<JSON>`, every mutation `POST /trpc/<procedure>` with the JSON input as body;
 * the answer is `{ "result": { "data": … } }`. Inputs and outputs are the procedures' own zod schemas as JSON
 * Schema 2020-12 (procedureSchemas), so the document cannot drift from the API. Plus the FHIR endpoints,
 * the files' (upload and download) and POST /hl7/v2. Subscriptions are not request-and-answer operations and are left out; the description says where they are.
 */
export function openApiDocument(serverUrl: string) {
  const procedures = procedureSchemas().filter((procedure) => procedure.type !== 'subscription');
  const paths: Record<string, unknown> = Object.fromEntries(procedures.map((procedure) => [`/trpc/${procedure.path}`, operation(procedure)]));
  const fhir = (summary: string, description: string, parameters: unknown[], type: string) => ({
    get: {
      operationId: summary,
      tags: ['fhir'],
      summary,
      description,
      parameters,
      responses: {
        '200': {
          description: `A ${type}`,
          content: { [type === 'NDJSON stream' ? 'application/fhir+ndjson' : 'application/fhir+json']: { schema: { type: type === 'NDJSON stream' ? 'string' : 'object' } } },
        },
        '4XX': { description: 'An OperationOutcome', content: { 'application/fhir+json': { schema: { type: 'object' } } } },
      },
    },
  });
  paths['/fhir/Patient/{id}/$everything'] = fhir(
    'fhir.patientEverything',
    'The patient and their record as a FHIR R4 searchset Bundle (as `patients.fhir`).',
    [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
    'FHIR R4 Bundle',
  );
  paths['/fhir/$export'] = fhir(
    'fhir.export',
    'Every resource of one type in the practice as FHIR R4 NDJSON, streamed (admins; as `exports.fhir`, page after page).',
    [
      { name: '_type', in: 'query', required: true, schema: { type: 'string', enum: [...fhirResourceTypes] } },
      { name: '_since', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } },
    ],
    'NDJSON stream',
  );
  paths['/hl7/v2'] = {
    post: {
      operationId: 'hl7.v2',
      tags: ['hl7'],
      summary: 'HL7 v2 messages in, ACKs out',
      description:
        "One or more HL7 v2 messages (ADT A01/A04/A08/A28/A31, ORU^R01), `\\r` or newline separated, MLLP framing tolerated; each goes through `hl7.receive`. The answer holds one ACK per message, in order (AA, or AE/AR with the reason in MSA and ERR), each followed by a newline. Admins' API tokens.",
      requestBody: { required: true, content: { 'x-application/hl7-v2+er7': { schema: { type: 'string' } }, 'text/plain': { schema: { type: 'string' } } } },
      responses: {
        '200': { description: 'An ACK per message', content: { 'x-application/hl7-v2+er7': { schema: { type: 'string' } } } },
        '400': { description: 'No message in the body', content: { 'text/plain': { schema: { type: 'string' } } } },
        '401': { description: 'Not authenticated', content: { 'text/plain': { schema: { type: 'string' } } } },
        '403': { description: 'Not an admin', content: { 'text/plain': { schema: { type: 'string' } } } },
        '413': { description: 'Body over 20 MiB', content: { 'text/plain': { schema: { type: 'string' } } } },
      },
    },
  };
  paths['/webhooks/stripe'] = {
    post: {
      operationId: 'webhooks.stripe',
      tags: ['payments'],
      summary: "Stripe's events (online payment of an invoice)",
      description:
        "For Stripe only: each event signed with the endpoint's secret (`Stripe-Signature`, STRIPE_WEBHOOK_SECRET) over the raw body. A paid `checkout.session.completed` (or `checkout.session.async_payment_succeeded`) records a payment of method `stripe` to the invoice its Checkout session was made for (`invoices.paymentLink`), once however often Stripe delivers it; every other verified event is acknowledged and ignored.",
      security: [],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
      responses: {
        '200': { description: 'Received (recorded, already recorded, or ignored)', content: { 'application/json': { schema: { type: 'object' } } } },
        '400': { description: 'The signature does not verify', content: { 'application/json': { schema: { type: 'object' } } } },
        '404': { description: 'Online payment is not set up', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  };
  const plainError = { description: 'An error: `{ error, reason?, requestId }`', content: { 'application/json': { schema: { type: 'object' } } } };
  const fileDto = procedures.find((procedure) => procedure.path === 'files.byId')!.output!;
  paths['/files'] = {
    post: {
      operationId: 'files.upload',
      tags: ['files'],
      summary: 'Upload a file (a document, a photo)',
      description:
        "The file's raw bytes as the body, streamed. Its type is read from the bytes: PDF, JPEG, PNG, WebP, GIF or TIFF (`file-type-not-allowed` otherwise); at most FILE_MAX_MB (`file-too-large`); an image that does not decode is `file-unreadable`. The upload is yours until `documents.create` or a `photoFileId` claims it, within 24 hours.",
      requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
      responses: { '201': { description: 'The stored file', content: { 'application/json': { schema: fileDto } } }, '400': plainError, '401': plainError, '413': plainError, '415': plainError },
    },
  };
  const download = (summary: string, description: string) => ({
    get: {
      operationId: summary,
      tags: ['files'],
      summary,
      description,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      responses: { '200': { description: 'The bytes', content: { '*/*': { schema: { type: 'string' } } } }, '401': plainError, '404': plainError },
    },
  });
  paths['/files/{id}'] = download('files.download', "The file's bytes, to whoever `files.byId` lets read it, streamed; its detected type, its SHA-256 as ETag.");
  paths['/files/{id}/preview'] = download('files.preview', "An image's WebP preview within 512×512 (404 for a PDF).");
  return {
    openapi: '3.1.0',
    info: {
      title: 'PAMS API',
      version: '0.1.0',
      license: { name: 'MIT', identifier: 'MIT' },
      description:
        'Every query and mutation of the API, with its input and its answer. Authenticate with `Authorization: Bearer <API token>` (create one with `pams tokens create`). A query is `GET /trpc/<procedure>?input=<URL-encoded JSON>`, a mutation `POST /trpc/<procedure>` with the JSON input as body; the answer is `{ "result": { "data": … } }`. Subscriptions are not in this document: they are Server-Sent Events streams, not request and answer. The two there are, `notifications.stream` (`GET /trpc/notifications.stream?input=…` with `Accept: text/event-stream`) and `notifications.practiceStream` (an admin\'s view of the practice\'s events, which `pams events tail` prints), are described in the README\'s "Live notifications" section and typed in the `@pams/client` package; clients that keep no stream open use `notifications.list`, `notifications.unreadCount` and `notifications.markRead`, which are listed here.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    tags: [...new Set([...procedures.map(({ path }) => path.split('.')[0]!), 'fhir', 'hl7'])].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (`pat_…`) or a session token.' } },
      responses: {
        Error: {
          description: 'An error: `error.data.code` (tRPC code), `reason`, `fieldErrors` for bad input, `requestId`.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              properties: {
                message: { type: 'string' },
                code: { type: 'integer', description: 'JSON-RPC error code' },
                data: {
                  type: 'object',
                  properties: {
                    code: { type: 'string', examples: ['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT'] },
                    httpStatus: { type: 'integer' },
                    path: { type: 'string' },
                    requestId: { type: ['string', 'null'] },
                    reason: { type: ['string', 'null'], description: 'A stable machine string, e.g. `slot-taken`.' },
                    fieldErrors: { type: ['object', 'null'], additionalProperties: { type: 'array', items: { type: 'string' } }, description: 'Messages by input field (dotted path).' },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}
