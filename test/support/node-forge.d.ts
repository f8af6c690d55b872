// node-forge ships no types; the tests use a handful of its X.509 calls (transport-keys.ts).
declare module 'node-forge';
