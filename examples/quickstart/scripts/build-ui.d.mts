/** Types of build-ui.mjs for the tests that import it. */
export declare const SOURCE: string;
export declare const TEMPLATE: string;
export declare const OUTPUT: string;
/** The text of src/ui/chart.html.ts, built from the sources now. */
export declare function buildChartModule(): Promise<string>;
