import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { openApiDocument } from './openapi-document.ts';

/** swagger-ui-dist's files, served from node_modules: the reference page needs no CDN and works offline. */
const swaggerDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>PAMS API reference</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;
/**
 * "Try it out" calls the server at the address the page was opened at (the document names APP_URL, which a
 * browser on 127.0.0.1 or a LAN address would call cross-origin and CORS would refuse), and a token
 * authorised once is kept across reloads (persistAuthorization, in the page's own localStorage).
 */
const init = `fetch('/openapi.json').then((r) => r.json()).then((spec) => {
  spec.servers = [{ url: location.origin, description: 'this server' }];
  window.ui = SwaggerUIBundle({ spec, dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true });
});
`;

/** The document as served, plain and gzipped: its schemas repeat (every patient answer is a patient), so gzip takes it to about a twentieth. */
function servedDocument(appUrl: string) {
  const json = JSON.stringify(openApiDocument(appUrl));
  return { json, gzip: gzipSync(json) };
}

/** GET /openapi.json (OpenAPI 3.1) and GET /docs, a Swagger UI reference page over it. */
export function openApiRoutes(appUrl: string) {
  let document: ReturnType<typeof servedDocument> | null = null; // built on first request: the router does not change while running
  return new Hono()
    .get('/openapi.json', (c) => {
      document ??= servedDocument(appUrl);
      const headers = { 'content-type': 'application/json', vary: 'accept-encoding' };
      if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) return c.body(document.gzip, 200, { ...headers, 'content-encoding': 'gzip' });
      return c.body(document.json, 200, headers);
    })
    .get('/docs', (c) => c.html(page))
    .get('/docs/init.js', (c) => c.body(init, 200, { 'content-type': 'text/javascript; charset=utf-8' }))
    .get('/docs/:file', async (c) => {
      const file = c.req.param('file');
      const type = assets[file];
      if (!type) return c.notFound();
      return c.body(await readFile(path.join(swaggerDir, file)), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
    });
}
