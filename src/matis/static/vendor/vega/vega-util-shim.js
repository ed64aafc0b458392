// MATIS: lets the ES-module vega-interpreter use the vega-util functions that
// the vega UMD bundle (vega.min.js, loaded first) already exposes as `vega`.
const vega = globalThis.vega;
export const ascending = vega.ascending;
export const isString = vega.isString;
export const DisallowedObjectProperties = vega.DisallowedObjectProperties;
