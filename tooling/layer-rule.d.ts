import type { Rule } from 'eslint';

export declare function layerOf(file: string): string;
export declare const layerRule: Rule.RuleModule;
