import { html } from 'htm/preact';

/** One number with its label, as the Overview shows them. */
export function Tile({ label, value, id }: { label: string; value: string | number; id: string }) {
  return html`<div class="tile"><span class="tile-label">${label}</span><strong data-stat=${id}>${value}</strong></div>`;
}
