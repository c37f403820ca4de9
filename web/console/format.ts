export const usd = (value: number) =>
  `$${value < 0.01 && value > 0 ? value.toFixed(6) : value.toFixed(value < 100 ? 4 : 2)}`;
export const ms = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : `${Math.round(value)} ms`;
export const time = (epochMs: number) => new Date(epochMs).toLocaleString();
export const clock = (epochMs: number) =>
  new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
export const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
export const isoDay = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);
/** A set amount (a budget) with the precision it has: cents at least, every digit it carries. */
export const usdExact = (value: number) => {
  const [whole, fraction = ''] = Number(value.toFixed(10)).toFixed(10).replace(/0+$/, '').split('.');
  return `$${whole}.${fraction.padEnd(2, '0')}`;
};
