// Replaced at build time by esbuild's `define` from package.json; the fallback serves tests that
// import the sources directly.
declare const __OKR_VERSION__: string | undefined;
export const VERSION: string = typeof __OKR_VERSION__ === 'string' ? __OKR_VERSION__ : '0.0.0-dev';
