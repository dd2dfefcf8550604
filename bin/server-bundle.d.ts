export declare const PROJECT_ROOT: string;
export declare const SERVER_BUNDLE_DIR: string;
export declare const SERVER_BUNDLE_FILE: string;
export declare const SERVER_BUNDLE_RECORD_FILE: string;
export declare function digestInputs(root: string, inputs: readonly string[]): string;
export declare function digestFile(file: string): string;
export declare function serverBundleState(root?: string): { fresh: true; bundle: string } | { fresh: false; reason: string };
