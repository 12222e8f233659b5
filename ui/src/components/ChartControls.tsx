// The metric-vs-step chart's controls: smoothing (exponential moving average), log scale, and line
// or scatter. The caller keeps the values (in the URL).
import { useId } from 'react';
import { type ChartView, MAX_SMOOTHING, clampSmoothing } from '../lib/chart-view.js';
import './charts.css';

type Choices = Pick<ChartView, 'smoothing' | 'logScale' | 'style'>;

interface Props {
  value: Choices;
  onChange: (patch: Partial<Choices>) => void;
}

export function ChartControls({ value, onChange }: Props) {
  const id = useId();
  return (
    <div className="row chart-controls">
      <label htmlFor={`${id}-smooth`}>Smoothing</label>
      <input
        id={`${id}-smooth`}
        type="range"
        min={0}
        max={MAX_SMOOTHING}
        step={0.01}
        value={value.smoothing}
        onChange={(e) => onChange({ smoothing: clampSmoothing(Number(e.target.value)) })}
      />
      <output htmlFor={`${id}-smooth`} className="mono" style={{ minWidth: '2.5em' }}>
        {value.smoothing.toFixed(2)}
      </output>
      <label>
        <input type="checkbox" checked={value.logScale} onChange={(e) => onChange({ logScale: e.target.checked })} />{' '}
        Log scale
      </label>
      <label htmlFor={`${id}-style`}>Draw as</label>
      <select
        id={`${id}-style`}
        value={value.style}
        onChange={(e) => onChange({ style: e.target.value === 'scatter' ? 'scatter' : 'line' })}
      >
        <option value="line">Lines</option>
        <option value="scatter">Points</option>
      </select>
    </div>
  );
}
