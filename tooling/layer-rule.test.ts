import path from 'node:path';
import { ESLint, RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { layerRule } from './layer-rule.js';

const root = path.resolve(import.meta.dirname, '..');
const at = (file: string) => path.join(root, file);

// RuleTester hooks into whatever test framework it finds on these statics.
Object.assign(RuleTester, { afterAll, describe, it });

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' } });

const violation = [{ message: /Layer violation/ }];

tester.run('sealcall/layers', layerRule, {
  valid: [
    { filename: at('shared/crypto/handshake.ts'), code: "import { z } from 'zod'; import s from 'libsodium-wrappers-sumo'; import { x } from './bytes';" },
    { filename: at('shared/crypto/sframe.test.ts'), code: "import { it } from 'vitest'; import { createHash } from 'node:crypto';" },
    { filename: at('electron/core/host.ts'), code: "import { parseRequest } from '../../shared/ipc'; import fs from 'node:fs';" },
    { filename: at('electron/shell/main.ts'), code: "import { app } from 'electron'; import { createHost } from '../core/host';" },
    { filename: at('electron/preload.ts'), code: "import { contextBridge } from 'electron'; import { createBridge } from '../shared/ipc';" },
    { filename: at('renderer/App.tsx'), code: "import React from 'react'; import { createBridge } from '../shared/ipc';" },
    { filename: at('server/db.ts'), code: "import Database from 'better-sqlite3'; import { PROTOCOL_VERSION } from '../shared/protocol';" },
    { filename: at('e2e/harness/host.ts'), code: "import { createHost } from '../../electron/core/host'; import '../../server/cli';" },
  ],
  invalid: [
    { filename: at('shared/crypto/x.ts'), code: "import { db } from '../../server/db';", errors: violation },
    { filename: at('shared/x.ts'), code: "export * from '../renderer/App';", errors: violation },
    { filename: at('shared/x.ts'), code: "import fs from 'node:fs';", errors: violation },
    { filename: at('shared/x.ts'), code: "import React from 'react';", errors: violation },
    { filename: at('shared/x.ts'), code: "const m = await import('../electron/core/host');", errors: violation },
    { filename: at('renderer/App.tsx'), code: "import { createHost } from '../electron/core/host';", errors: violation },
    { filename: at('renderer/App.tsx'), code: "import { ipcRenderer } from 'electron';", errors: violation },
    { filename: at('renderer/App.tsx'), code: "import fs from 'node:fs';", errors: violation },
    { filename: at('renderer/App.tsx'), code: "import { db } from '../server/db';", errors: violation },
    { filename: at('server/relay.ts'), code: "import { App } from '../renderer/App';", errors: violation },
    { filename: at('server/relay.ts'), code: "import { createHost } from '../electron/core/host';", errors: violation },
    { filename: at('electron/core/host.ts'), code: "import { app } from 'electron';", errors: violation },
    { filename: at('electron/core/host.ts'), code: "const { app } = require('electron');", errors: violation },
    { filename: at('electron/core/host.ts'), code: "import { App } from '../../renderer/App';", errors: violation },
    { filename: at('electron/preload.ts'), code: "import { createHost } from './core/host';", errors: violation },
    { filename: at('electron/preload.ts'), code: "import fs from 'node:fs';", errors: violation },
  ],
});

describe('the lint configuration', () => {
  it('applies the layer rule as an error to every layer', async () => {
    const eslint = new ESLint({ cwd: root });
    for (const file of ['shared/crypto/handshake.ts', 'electron/core/host.ts', 'renderer/main.tsx', 'server/cli.ts', 'electron/preload.ts']) {
      const config = (await eslint.calculateConfigForFile(at(file))) as { rules?: Record<string, unknown> };
      expect(config.rules?.['sealcall/layers'], file).toEqual([2]);
    }
  });
});
