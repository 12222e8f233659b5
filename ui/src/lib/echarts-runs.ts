// The extra ECharts parts of the runs chart view: parallel coordinates and the colour scale that
// paints each run's line by its metric. Registered once, when the chart view loads.
import { ParallelChart } from 'echarts/charts';
import { ParallelComponent, VisualMapContinuousComponent } from 'echarts/components';
import { echarts } from './echarts.js';

echarts.use([ParallelChart, ParallelComponent, VisualMapContinuousComponent]);
