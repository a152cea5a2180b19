/**
 * The sales figures the `chart_sales` tool returns: a fixed, made-up data set per period, so the
 * chart, the text fallback and the tests agree on every number.
 */

export const PERIODS = ["week", "month", "quarter"] as const;
export type Period = (typeof PERIODS)[number];

export interface SalesPoint {
  label: string;
  value: number;
}

export interface SalesSeries {
  period: Period;
  unit: string;
  points: SalesPoint[];
  total: number;
}

const FIGURES: Record<Period, [string, number][]> = {
  week: [
    ["Mon", 120],
    ["Tue", 98],
    ["Wed", 143],
    ["Thu", 131],
    ["Fri", 170],
    ["Sat", 88],
    ["Sun", 62],
  ],
  month: [
    ["W1", 640],
    ["W2", 712],
    ["W3", 598],
    ["W4", 803],
  ],
  quarter: [
    ["Jan", 2710],
    ["Feb", 2480],
    ["Mar", 3125],
  ],
};

/** The series for `period`. */
export function salesFor(period: Period): SalesSeries {
  const points = FIGURES[period].map(([label, value]) => ({ label, value }));
  return { period, unit: "EUR", points, total: points.reduce((sum, p) => sum + p.value, 0) };
}

/** The series as text that stands on its own (hosts without MCP Apps, and the model). */
export function salesText(series: SalesSeries, detailed: boolean): string {
  const head = `Sales for the ${series.period}: ${series.total} ${series.unit} in total`;
  if (!detailed) return `${head} (shown as a chart).`;
  return `${head}.\n${series.points.map((p) => `${p.label}: ${p.value}`).join("\n")}`;
}
