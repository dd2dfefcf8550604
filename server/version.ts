/** Reported in `hello`, /healthz and the CLI. A unit test keeps it equal to package.json's version. */
export const SERVER_VERSION = '0.1.0';
