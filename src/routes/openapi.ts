import { Hono } from 'hono';
import type { SwaggerUiAssets } from '../docs/swagger-ui-assets.js';

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

/** GET /openapi.json, and GET /docs: Swagger UI rendering it, served from the installed package. */
export function apiDocsRoutes(document: Record<string, unknown>, assets: SwaggerUiAssets) {
  const page = docsPage('claude-gateway API');
  return new Hono()
    .get('/openapi.json', (c) => c.json(document))
    .get('/docs', (c) => c.html(page))
    .get('/docs/swagger-ui.css', (c) =>
      c.body(assets.css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': ASSET_CACHE }),
    )
    .get('/docs/swagger-ui-bundle.js', (c) =>
      c.body(assets.bundleJs, 200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': ASSET_CACHE,
      }),
    );
}
