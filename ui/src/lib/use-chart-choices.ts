// The history charts' smoothing, log scale and line-or-points, kept in the page's URL (as the
// runs chart view keeps them), for the run page and the compare page.
import { useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { HistoryChoices } from './chart-options.js';
import { readChartView, writeChartView } from './chart-view.js';

export function useChartChoices(): [HistoryChoices, (patch: Partial<HistoryChoices>) => void] {
  const [params, setParams] = useSearchParams();
  const view = useMemo(() => readChartView(params), [params]);
  const choices = useMemo(
    () => ({ smoothing: view.smoothing, logScale: view.logScale, style: view.style }),
    [view.smoothing, view.logScale, view.style],
  );
  const update = (patch: Partial<HistoryChoices>) =>
    setParams(writeChartView({ ...view, ...patch }, params), { replace: true });
  return [choices, update];
}
