import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** One number with its label, as the Overview shows them. */
export function Tile({ label, value, id }: { label: string; value: string | number; id: string }) {
  return html`<div class="tile"><span class="tile-label">${label}</span><strong data-stat=${id}>${value}</strong></div>`;
}

/**
 * Details over the page, where the reader is (below a long table they would be off-screen): a modal
 * dialog, so focus moves into it and Escape or Close ends it.
 */
export function DetailDialog({
  label,
  heading,
  onClose,
  children,
}: {
  label: string;
  heading: ComponentChildren;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);
  return html`<dialog ref=${dialog} class="card detail" aria-label=${label} onClose=${onClose}>
    <div class="row"><h2>${heading}</h2><button type="button" class="quiet" onClick=${onClose}>Close</button></div>
    ${children}
  </dialog>`;
}
