/** Which API a recorded request used, from its path (audit rows keep the path, not the surface). */
const SURFACES: ReadonlyArray<[prefix: string, surface: string]> = [
  ['/chat/completions', 'openai-chat'],
  ['/responses', 'openai-responses'],
  ['/completions', 'openai-completions'],
  ['/messages', 'anthropic-messages'],
  ['/api/v1/sessions', 'native'],
  ['/api/v1/tasks', 'tasks'],
  ['/api/v1/templates', 'templates'],
];

export function surfaceOfPath(path: string): string {
  const bare = path.startsWith('/v1/') ? path.slice(3) : path;
  for (const [prefix, surface] of SURFACES) if (bare.startsWith(prefix)) return surface;
  return 'other';
}

/** The paths of a surface, for filtering (both with and without the /v1 prefix are recorded as sent). */
export function pathPrefixesOf(surface: string): string[] {
  return SURFACES.filter(([, name]) => name === surface).flatMap(([prefix]) =>
    prefix.startsWith('/api/') ? [prefix] : [`/v1${prefix}`, prefix],
  );
}
