// The extra ECharts parts the monitoring page draws with, registered on the shared tree-shaken core
// when that page loads. The drift heat-map is a custom series of rectangles, not ECharts' heatmap:
// echarts 6 marks every heatmap cell incremental, which paints across animation frames and throws
// when the chart is disposed in between (as React does when it re-runs a component's effects).
import { CustomChart } from 'echarts/charts';
import { MarkLineComponent } from 'echarts/components';
import { echarts } from './echarts.js';

echarts.use([CustomChart, MarkLineComponent]);

export { echarts };
