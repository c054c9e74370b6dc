/** Charts: pure functions from data to SVG markup (build time and live), plus client helpers. */
export { esc, num, attrs, el, text, chartId, formatLoss, formatValue, formatCount } from './svg';
export { palette, seriesDash, chartStyle } from './theme';
export { PANEL, frame, type FrameOptions, type Frame } from './frame';
export { makeScale, ticksOf, axisBottom, axisLeft, formatPowerOfTen, type Plot, type Scale, type ScaleSpec, type Tick } from './axis';
export { referenceLine, type RefLine } from './reference-line';
export { legend, type LegendItem } from './legend';
export { markerSymbol } from './marker';
export { barChart, type BarChartOptions, type BarSeries } from './bar-chart';
export { lineChart, type LineChartOptions, type LineSeries, type AxisSpec } from './line-chart';
export { heatmapChart, heatmapCells, divergingLegend, maxAbs, type HeatmapOptions, type CellsOptions } from './heatmap';
export { matrixDiagram, type MatrixDiagramOptions, type DiagramTerm } from './matrix-diagram';
export {
  lowRankFigure,
  implementationFigure,
  trainingFigure,
  mergingFigure,
  rankFigure,
  type FigurePanel,
  type TrainingProgress,
  type TrainingFigureOptions,
} from './figures';
export { attachTooltips } from './tooltip';
export { svgToPngBlob, inlineCssVariables, toCsv, type PngOptions } from './downloads';
