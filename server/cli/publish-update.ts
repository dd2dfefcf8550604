import path from 'node:path';
import { defineCommand } from './command';
import { CommandError, UsageError } from './io';
import { HELP_OPTION, stringOption, type OptionSpec } from './options';
import { PASSPHRASE_FILE_OPTION, readPassphrase } from './update-passphrase';
import { buildReleaseManifest, ReleaseError, writeSignedManifest } from '../update-signing/release-manifest';
import { openSigningKeyFile, SigningKeyError } from '../update-signing/signing-key-file';
import { loadSodium } from '../../shared/crypto/sodium';

const KEY: OptionSpec = { name: 'key', kind: 'string', placeholder: 'FILE', help: "the sealed key from 'sealcall-server update-key'" };
const DIR: OptionSpec = { name: 'dir', kind: 'string', placeholder: 'DIR', help: "the release folder: electron-builder's output with its latest*.yml" };
const SPECS = [KEY, DIR, PASSPHRASE_FILE_OPTION, HELP_OPTION];

export const publishUpdateCommand = defineCommand({
  name: 'publish-update',
  summary: 'sign a release for the update feed with the update-signing key',
  usage: 'sealcall-server publish-update --key FILE --dir DIST --passphrase-file FILE',
  description:
    'Writes sealcall-update.json (the version, and the name, size and SHA-512 of every file the latest*.yml files name) and ' +
    'its Ed25519 signature sealcall-update.json.sig into the release folder. Copy the whole folder to the update feed: ' +
    'Sealcall installs only a release whose manifest is signed by the key in its enterprise config, newer than itself.',
  specs: SPECS,
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`publish-update takes no arguments, got '${positionals[0] ?? ''}'`);
    const keyFile = stringOption(values, KEY);
    const dir = stringOption(values, DIR);
    if (keyFile === undefined) throw new UsageError('needs --key FILE');
    if (dir === undefined) throw new UsageError('needs --dir DIR');
    const passphrase = await readPassphrase(values);
    const sodium = await loadSodium();
    try {
      const manifest = await buildReleaseManifest(dir);
      const key = await openSigningKeyFile(keyFile, passphrase);
      try {
        const written = await writeSignedManifest(dir, manifest, key.secretKey);
        io.out(`Signed Sealcall ${manifest.version} (${manifest.files.length} file${manifest.files.length === 1 ? '' : 's'}) with the key ${key.publicKeyText}:`);
        for (const file of manifest.files) io.out(`  ${file.name}  ${file.size} bytes`);
        io.out(`Wrote ${path.basename(written.manifestFile)} and ${path.basename(written.signatureFile)} into ${dir}; upload the folder to the update feed.`);
        return 0;
      } finally {
        sodium.memzero(key.secretKey);
      }
    } catch (error) {
      if (error instanceof SigningKeyError || error instanceof ReleaseError) throw new CommandError(error.message);
      throw error;
    }
  },
});
