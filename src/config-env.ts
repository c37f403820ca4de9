/**
 * The environment as the config schema should see it: a variable set to an empty (or blank) value
 * counts as unset, so its default applies. Left in, `z.coerce.number()` would read `PORT=` as 0 (a
 * random port) and `MAX_QUEUE=` as 0 (no queue), which is what an operator who blanked a line in an
 * env file or compose file never means.
 */
export function withoutBlankValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') kept[name] = value;
  }
  return kept;
}
