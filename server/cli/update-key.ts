import { defineCommand } from './command';
import { CommandError, UsageError } from './io';
import { HELP_OPTION, stringOption, type OptionSpec } from './options';
import { PASSPHRASE_FILE_OPTION, readPassphrase } from './update-passphrase';
import { createSigningKeyFile, MIN_SIGNING_PASSPHRASE_LENGTH, SigningKeyError } from '../update-signing/signing-key-file';
import { loadSodium } from '../../shared/crypto/sodium';

const OUT: OptionSpec = { name: 'out', kind: 'string', placeholder: 'FILE', help: 'where to write the sealed key (never overwritten)' };
const SPECS = [OUT, PASSPHRASE_FILE_OPTION, HELP_OPTION];

export const updateKeyCommand = defineCommand({
  name: 'update-key',
  summary: "make the company's update-signing key (keep it offline)",
  usage: 'sealcall-server update-key --out FILE --passphrase-file FILE',
  description:
    'Makes an Ed25519 key pair for signing Sealcall releases. The secret half is written to --out sealed under the passphrase ' +
    '(Argon2id); the public half is printed for the enterprise config\'s "updatePublicKey". Run it on an offline machine and ' +
    'keep the key file and its passphrase apart: whoever holds both can push code to every laptop.',
  specs: SPECS,
  notes: [`The passphrase needs at least ${MIN_SIGNING_PASSPHRASE_LENGTH} characters. Sign a release with: sealcall-server publish-update --key FILE --dir DIST`],
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`update-key takes no arguments, got '${positionals[0] ?? ''}'`);
    const out = stringOption(values, OUT);
    if (out === undefined) throw new UsageError('needs --out FILE');
    const passphrase = await readPassphrase(values);
    try {
      const key = await createSigningKeyFile(out, passphrase);
      (await loadSodium()).memzero(key.secretKey);
      io.err(`Wrote the sealed update-signing key to ${out}. Keep it, and its passphrase, offline.`);
      io.err('Put this line in the enterprise config (config.json) of every laptop:');
      io.out(`"updatePublicKey": "${key.publicKeyText}"`);
      return 0;
    } catch (error) {
      if (error instanceof SigningKeyError) throw new CommandError(error.message);
      throw error;
    }
  },
});
