// ESLint rule: the layer boundaries the README's "Layout" names, checked on every import, export-from, dynamic
// import and require. It resolves relative paths to the folder they land in, so `../../server/x`
// is caught however it is spelled.
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/** @param {string} file absolute path */
export function layerOf(file) {
  const rel = path.relative(root, file).split(path.sep).join('/');
  if (rel.startsWith('..')) return 'outside';
  if (rel === 'electron/preload.ts') return 'electron/preload';
  if (rel.startsWith('electron/shell/')) return 'electron/shell';
  if (rel.startsWith('electron/core/')) return 'electron/core';
  if (rel.startsWith('electron/')) return 'electron/other';
  const top = rel.split('/')[0] ?? '';
  if (['shared', 'renderer', 'server', 'e2e', 'bench', 'scripts', 'tooling', 'build'].includes(top)) return top;
  return 'root';
}

const isTest = (file) => /\.(test|fixture)\.tsx?$/.test(file);

/** Which layers a layer may import from, by relative path. */
const allowedLayers = {
  shared: ['shared'],
  'electron/core': ['shared', 'electron/core'],
  'electron/shell': ['shared', 'electron/core', 'electron/shell'],
  'electron/preload': ['shared'],
  'electron/other': ['shared'],
  renderer: ['shared', 'renderer'],
  server: ['shared', 'server'],
};

/** Which packages a layer's production code may import. `null` means any. */
const allowedPackages = {
  shared: ['libsodium-wrappers-sumo', 'zod'],
  'electron/core': null,
  'electron/shell': null,
  'electron/preload': ['electron'],
  'electron/other': null,
  renderer: null,
  server: null,
};

/** Packages a layer may never import, whatever else it may. */
const forbiddenPackages = {
  'electron/core': ['electron'],
  'electron/other': ['electron'],
  renderer: ['electron', /^node:/],
  server: ['electron'],
};

const testPackages = ['vitest', 'fast-check', /^node:/];

function packageName(specifier) {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

const matches = (name, patterns) => patterns.some((p) => (typeof p === 'string' ? p === name : p.test(name)));

/** @type {import('eslint').Rule.RuleModule} */
export const layerRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the layer boundaries of the README\'s Layout section' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const layer = layerOf(file);
    if (!(layer in allowedLayers)) return {};
    const test = isTest(file);

    function check(node, specifier) {
      if (typeof specifier !== 'string') return;
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = layerOf(path.resolve(path.dirname(file), specifier));
        const allowed = allowedLayers[layer];
        if (!allowed.includes(target) && !(test && target !== 'outside')) {
          context.report({
            node,
            message: `Layer violation: ${layer} may import only ${allowed.join(', ')}; '${specifier}' is in ${target}.`,
          });
        }
        return;
      }
      const name = packageName(specifier);
      const forbidden = forbiddenPackages[layer] ?? [];
      if (matches(name, forbidden)) {
        context.report({ node, message: `Layer violation: ${layer} may not import '${name}'.` });
        return;
      }
      const allowed = allowedPackages[layer];
      if (allowed === null || matches(name, allowed) || (test && matches(name, testPackages))) return;
      context.report({
        node,
        message: `Layer violation: ${layer} may import only the packages ${allowed.join(', ')}; not '${name}'.`,
      });
    }

    const fromSource = (node) => check(node, node.source?.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: (node) => node.source && fromSource(node),
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node, node.arguments[0].value);
        }
      },
    };
  },
};
