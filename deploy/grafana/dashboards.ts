// Cairn's Grafana dashboards, typed with Grafana's foundation SDK builders: the scoring service (traffic,
// latency, errors, predictions, the served model) and model monitoring (drift, live performance against the
// promotion policy). build-dashboards.ts writes them to dashboards/*.json, which Grafana provisions; a test
// checks the committed JSON is what this file generates and runs every query on a real Prometheus.
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { PanelBuilder as BarGauge } from '@grafana/grafana-foundation-sdk/bargauge';
import {
  DashboardBuilder,
  type Dashboard,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as Stat } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimeline } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as Table } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';

/** The datasource uid provisioning/datasources/prometheus.yml gives Prometheus; every panel uses it. */
export const DATASOURCE = { type: 'prometheus', uid: 'cairn-prometheus' };

const SERVING = 'cairn_serving_';
const MONITOR = 'cairn_monitor_';
const ON_SERVING = 'instance=~"$instance"';
const ON_MODEL = 'model_name=~"$model"';
const SCORING = `${ON_SERVING}, route=~"/predict|/invocations"`;

interface Query {
  expr: string;
  legend?: string;
  /** A single value now (stats, tables) rather than a range. */
  instant?: boolean;
  format?: PromQueryFormat;
}

function queries(list: Query[]): cog.Builder<cog.Dataquery>[] {
  return list.map((q, i) => {
    const b = new DataqueryBuilder()
      .datasource(DATASOURCE)
      .refId(String.fromCharCode(65 + i))
      .expr(q.expr);
    if (q.legend) b.legendFormat(q.legend);
    if (q.instant) b.instant();
    if (q.format) b.format(q.format);
    return b;
  });
}

const legend = () =>
  new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.List)
    .placement(common.LegendPlacement.Bottom);

const last = () => new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);

function thresholds(steps: Array<[number | null, string]>) {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(steps.map(([value, color]) => ({ value, color })));
}

function timeSeries(title: string, description: string, unit: string, list: Query[], w = 12, h = 8) {
  return new TimeSeries()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(w)
    .height(h)
    .legend(legend())
    .targets(queries(list));
}

function stat(title: string, description: string, unit: string, query: Query, w = 6) {
  return new Stat()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(w)
    .height(4)
    .reduceOptions(last())
    .graphMode(common.BigValueGraphMode.Area)
    .targets(queries([query]));
}

function table(title: string, description: string, query: Query, w = 12, h = 6) {
  return new Table()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .span(w)
    .height(h)
    .targets(queries([{ ...query, instant: true, format: PromQueryFormat.Table }]));
}

const instanceVariable = () =>
  new QueryVariableBuilder('instance')
    .label('Instance')
    .datasource(DATASOURCE)
    .query(`label_values(${SERVING}model_info, instance)`)
    .definition(`label_values(${SERVING}model_info, instance)`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*');

const modelVariable = () =>
  new QueryVariableBuilder('model')
    .label('Model')
    .datasource(DATASOURCE)
    .query(`label_values(${MONITOR}last_run_timestamp_seconds, model_name)`)
    .definition(`label_values(${MONITOR}last_run_timestamp_seconds, model_name)`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*');

/** Panel ids 1, 2, … in layout order (the builders leave them unset; links and the API need them unique). */
function numbered(d: Dashboard): Dashboard {
  d.panels?.forEach((p, i) => {
    p.id = i + 1;
  });
  return d;
}

/** Per-second rate of a serving metric over Grafana's rate interval, with extra label matchers. */
const rate = (metric: string, matchers = ON_SERVING) => `rate(${SERVING}${metric}{${matchers}}[$__rate_interval])`;

const latency = (q: number) =>
  `histogram_quantile(${q}, sum by (le) (${rate('request_duration_seconds_bucket', SCORING)}))`;

/** The scoring service: traffic, latency p50/p99, errors, predictions by class, probabilities, the model. */
export function servingDashboard(): Dashboard {
  return numbered(
    new DashboardBuilder('Cairn / Serving')
      .uid('cairn-serving')
      .description('The scoring service (`cairn serve`): traffic, latency, errors, predictions and the served model.')
      .tags(['cairn', 'serving'])
      .refresh('30s')
      .time({ from: 'now-1h', to: 'now' })
      .timezone('browser')
      .withVariable(instanceVariable())
      .withRow(new RowBuilder('Overview'))
      .withPanel(
        stat('Requests per second', 'All routes.', 'reqps', {
          expr: `sum(${rate('requests_total')})`,
        }),
      )
      .withPanel(
        stat('p99 latency (scoring)', '/predict and /invocations.', 's', { expr: latency(0.99) }).thresholds(
          thresholds([
            [null, 'green'],
            [0.25, 'orange'],
            [0.5, 'red'],
          ]),
        ),
      )
      .withPanel(
        stat('Server errors', 'Share of requests answered 5xx.', 'percentunit', {
          expr:
            `(sum(${rate('requests_total', `${ON_SERVING}, status=~"5.."`)}) or vector(0)) / ` +
            `sum(${rate('requests_total')})`,
        }).thresholds(
          thresholds([
            [null, 'green'],
            [0.01, 'red'],
          ]),
        ),
      )
      .withPanel(
        table('Served model', 'Name, version and URI of the model each instance serves (changes after a hot swap).', {
          expr: `max by (instance, model_name, model_version, model_uri) (${SERVING}model_info{${ON_SERVING}})`,
        })
          .span(6)
          .height(4),
      )
      .withRow(new RowBuilder('Traffic and latency'))
      .withPanel(
        timeSeries('Requests by route and status', 'Requests per second.', 'reqps', [
          {
            expr: `sum by (route, status) (${rate('requests_total')})`,
            legend: '{{route}} {{status}}',
          },
        ]),
      )
      .withPanel(
        timeSeries('Scoring latency', 'p50 and p99 of /predict and /invocations.', 's', [
          { expr: latency(0.5), legend: 'p50' },
          { expr: latency(0.99), legend: 'p99' },
        ]),
      )
      .withPanel(
        timeSeries('Errors', 'Requests answered 4xx (bad input) and 5xx (server errors), per second.', 'reqps', [
          {
            expr: `sum by (status) (${rate('requests_total', `${ON_SERVING}, status=~"4..|5.."`)})`,
            legend: '{{status}}',
          },
        ]),
      )
      .withPanel(
        timeSeries('Inputs out of the training range', 'Values far outside the training range, by feature.', 'short', [
          {
            expr: `sum by (feature) (${rate('input_out_of_range_total')})`,
            legend: '{{feature}}',
          },
        ]),
      )
      .withRow(new RowBuilder('Predictions'))
      .withPanel(
        timeSeries('Predictions by class', 'Predictions per second, by model version and predicted class.', 'short', [
          {
            expr: `sum by (model_version, class) (${rate('predictions_total')})`,
            legend: 'v{{model_version}} class {{class}}',
          },
        ]).stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal)),
      )
      .withPanel(
        timeSeries('Mean predicted probability', 'Mean P(positive class) of the predictions.', 'percentunit', [
          {
            expr:
              `sum by (model_version) (${rate('prediction_probability_sum')}) / ` +
              `sum by (model_version) (${rate('prediction_probability_count')})`,
            legend: 'v{{model_version}}',
          },
        ]),
      )
      .withPanel(
        new BarGauge()
          .title('Predicted probability histogram')
          .description('Predictions per P(positive class) bucket over the dashboard time range.')
          .datasource(DATASOURCE)
          .span(12)
          .height(8)
          .unit('short')
          .displayMode(common.BarGaugeDisplayMode.Gradient)
          .orientation(common.VizOrientation.Vertical)
          .reduceOptions(last())
          .targets(
            queries([
              {
                expr: `sum by (le) (increase(${SERVING}prediction_probability_bucket{${ON_SERVING}}[$__range]))`,
                legend: '{{le}}',
                instant: true,
                format: PromQueryFormat.Heatmap,
              },
            ]),
          ),
      )
      .withPanel(
        timeSeries('Mean input values', 'Mean of each numeric input, from the serving summaries.', 'short', [
          {
            expr:
              `sum by (feature) (${rate('input_value_sum')}) / ` + `sum by (feature) (${rate('input_value_count')})`,
            legend: '{{feature}}',
          },
        ]),
      )
      .build(),
  );
}

const DRIFT_MAPPING = [
  {
    type: MappingType.ValueToText as const,
    options: { '0': { text: 'No drift', color: 'green', index: 0 }, '1': { text: 'Drift', color: 'red', index: 1 } },
  },
];

/** Model monitoring: data set and per-feature drift, live performance against the policy, the model version. */
export function monitoringDashboard(): Dashboard {
  return numbered(
    new DashboardBuilder('Cairn / Model monitoring')
      .uid('cairn-monitoring')
      .description('Drift and live performance from `cairn monitor` against the training reference and the policy.')
      .tags(['cairn', 'monitoring'])
      .refresh('1m')
      .time({ from: 'now-24h', to: 'now' })
      .timezone('browser')
      .withVariable(modelVariable())
      .withRow(new RowBuilder('Drift'))
      .withPanel(
        stat('Data set drift', 'Whether at least half the features drift (latest monitoring pass).', 'none', {
          expr: `max by (model_name) (${MONITOR}dataset_drift{${ON_MODEL}})`,
          legend: '{{model_name}}',
        }).mappings(DRIFT_MAPPING),
      )
      .withPanel(
        stat('Prediction drift', 'Whether the predicted probabilities drift from training.', 'none', {
          expr: `max by (model_name) (${MONITOR}prediction_drift{${ON_MODEL}})`,
          legend: '{{model_name}}',
        }).mappings(DRIFT_MAPPING),
      )
      .withPanel(
        stat('Predictions in the window', 'Logged predictions the latest pass compared.', 'short', {
          expr: `sum by (model_name) (${MONITOR}window_predictions{${ON_MODEL}})`,
          legend: '{{model_name}}',
        }),
      )
      .withPanel(
        stat('Since the last pass', 'Time since `cairn monitor` last ran.', 's', {
          expr: `time() - max by (model_name) (${MONITOR}last_run_timestamp_seconds{${ON_MODEL}})`,
          legend: '{{model_name}}',
        }),
      )
      .withPanel(
        timeSeries('Drift share', 'Share of features drifting; data set drift from 50%.', 'percentunit', [
          { expr: `${MONITOR}drift_share{${ON_MODEL}}`, legend: '{{model_name}}' },
        ]).thresholds(
          thresholds([
            [null, 'green'],
            [0.5, 'red'],
          ]),
        ),
      )
      .withPanel(
        new StateTimeline()
          .title('Drift per feature')
          .description('Each feature’s drift flag over time (its method’s threshold crossed).')
          .datasource(DATASOURCE)
          .span(12)
          .height(8)
          .mappings(DRIFT_MAPPING)
          .targets(
            queries([
              {
                expr: `max by (feature) (${MONITOR}feature_drift{${ON_MODEL}})`,
                legend: '{{feature}}',
              },
            ]),
          ),
      )
      .withPanel(
        new BarGauge()
          .title('Drift score per feature')
          .description('p-value (KS, chi-squared: drift below 0.05) or distance (Wasserstein, Jensen-Shannon).')
          .datasource(DATASOURCE)
          .span(12)
          .height(8)
          .displayMode(common.BarGaugeDisplayMode.Basic)
          .orientation(common.VizOrientation.Horizontal)
          .reduceOptions(last())
          .targets(
            queries([
              {
                expr: `max by (feature, method) (${MONITOR}feature_drift_score{${ON_MODEL}})`,
                legend: '{{feature}} ({{method}})',
                instant: true,
              },
            ]),
          ),
      )
      .withPanel(
        new BarGauge()
          .title('PSI per feature')
          .description('Population stability index: above 0.1 a moderate shift, above 0.25 a large one.')
          .datasource(DATASOURCE)
          .span(12)
          .height(8)
          .displayMode(common.BarGaugeDisplayMode.Basic)
          .orientation(common.VizOrientation.Horizontal)
          .reduceOptions(last())
          .thresholds(
            thresholds([
              [null, 'green'],
              [0.1, 'orange'],
              [0.25, 'red'],
            ]),
          )
          .targets(
            queries([
              { expr: `max by (feature) (${MONITOR}feature_psi{${ON_MODEL}})`, legend: '{{feature}}', instant: true },
            ]),
          ),
      )
      .withRow(new RowBuilder('Live performance'))
      .withPanel(
        timeSeries(
          'Live accuracy vs policy',
          'Accuracy on predictions with feedback labels, and the minimum the promotion policy requires.',
          'percentunit',
          [
            { expr: `${MONITOR}live_metric{${ON_MODEL}, metric="accuracy"}`, legend: '{{model_name}} accuracy' },
            {
              expr: `${MONITOR}policy_threshold{${ON_MODEL}, metric="accuracy"}`,
              legend: '{{model_name}} policy minimum',
            },
          ],
        ),
      )
      .withPanel(
        timeSeries('Live metrics', 'Every live metric over the sliding window.', 'percentunit', [
          { expr: `${MONITOR}live_metric{${ON_MODEL}}`, legend: '{{model_name}} {{metric}}' },
        ]),
      )
      .withPanel(
        table('Monitored model version', 'The registered model version the latest pass monitored.', {
          expr: `max by (model_name, model_version) (${MONITOR}model_version_info{${ON_MODEL}})`,
        }),
      )
      .withPanel(
        table('Cairn alerts firing', 'Alerts of deploy/prometheus/alert_rules.yml firing now.', {
          expr: 'ALERTS{alertname=~"Cairn.*", alertstate="firing"}',
        }),
      )
      .build(),
  );
}

/** The provisioned dashboard files (dashboards/<name>) and what each holds. */
export const DASHBOARD_FILES: ReadonlyArray<readonly [string, () => Dashboard]> = [
  ['cairn-serving.json', servingDashboard],
  ['cairn-monitoring.json', monitoringDashboard],
];

/** A dashboard as the committed file holds it. */
export function dashboardJson(d: Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
