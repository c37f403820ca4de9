import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';

// Only what the console draws, so the bundle stays small (chart.js/auto would register everything).
Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
);

export interface ChartProps {
  title: string;
  config: ChartConfiguration;
}

/** One Chart.js canvas; redrawn when its configuration changes, destroyed with the component. */
export function ChartView({ title, config }: ChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      ...config,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true } },
        ...config.options,
      },
    });
    return () => chart.destroy();
  }, [config]);
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <div class="chart-box"><canvas ref=${canvas} role="img" aria-label=${title} data-chart=${title}></canvas></div>
  </figure>`;
}

export const PALETTE = [
  '#2f6fde',
  '#d9822b',
  '#2e9d5b',
  '#c2410c',
  '#7c3aed',
  '#0f766e',
  '#be185d',
  '#4d7c0f',
];
