import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { JsonObject } from '../http/openapi-document.js';
import { documented, jsonResponse } from '../http/openapi-route.js';
import type { SwaggerUiAssets } from './swagger-ui-assets.js';

const ASSET_CACHE = 'public, max-age=86400';

/**
 * The /docs page. Every URL in it is relative to /docs, so the page also works behind a proxy that
 * mounts the gateway under a path prefix; nothing is loaded from another origin.
 */
function docsPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#swagger-ui' });
</script>
</body>
</html>
`;
}

const asset = (path: string, type: string, what: string) =>
  createRoute({
    method: 'get',
    path,
    summary: what,
    security: [],
    responses: { 200: { description: what, content: { [type]: { schema: z.string() } } } },
  });
const openApiRoute = createRoute({
  method: 'get',
  path: '/openapi.json',
  summary: 'This document (OpenAPI 3.1), generated from the route definitions',
  security: [],
  responses: { 200: jsonResponse('The OpenAPI document.') },
});
const docsRoute = asset('/docs', 'text/html', 'Swagger UI for this document, served locally (works offline)');
const cssRoute = asset('/docs/swagger-ui.css', 'text/css', 'Swagger UI stylesheet');
const scriptRoute = asset('/docs/swagger-ui-bundle.js', 'text/javascript', 'Swagger UI script');

/** GET /openapi.json, and GET /docs: Swagger UI rendering it, served from the installed package. */
export function apiDocsRoutes(document: () => JsonObject, assets: SwaggerUiAssets) {
  const page = docsPage('claude-gateway API');
  const app = new OpenAPIHono();
  app.get(documented(app, openApiRoute), (c) => c.json(document()));
  app.get(documented(app, docsRoute), (c) => c.html(page));
  app.get(documented(app, cssRoute), (c) =>
    c.body(assets.css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': ASSET_CACHE }),
  );
  app.get(documented(app, scriptRoute), (c) =>
    c.body(assets.bundleJs, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': ASSET_CACHE,
    }),
  );
  return app;
}
