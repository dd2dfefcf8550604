import { z } from 'zod';
import { isReleaseVersion } from './release-version';

/*
 * The signed update manifest (docs/deployment.md, "Signed updates"): which version a release is,
 * and the name, size and SHA-512 of every file electron-updater may download for it. It sits next
 * to electron-updater's latest*.yml as two files: the manifest's exact bytes, and a detached
 * Ed25519 signature over UPDATE_SIGNATURE_CONTEXT followed by those bytes.
 */

export const UPDATE_MANIFEST_FILE = 'sealcall-update.json';
export const UPDATE_SIGNATURE_FILE = 'sealcall-update.json.sig';
export const UPDATE_MANIFEST_FORMAT = 'sealcall-update-v1';
/** Bigger than any honest manifest by far; a feed serving more is refused unread. */
export const MAX_MANIFEST_BYTES = 64 * 1024;

/** The file names electron-builder gives artifacts: no folders, nothing hidden, nothing a URL or a path would reinterpret. */
const fileNameSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'must be a plain file name (letters, digits, ".", "_", "+", "-")');

/** SHA-512 in standard base64, as electron-updater's latest*.yml writes it: 88 characters. */
export const sha512Schema = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'must be a SHA-512 digest in base64');

export const updateManifestSchema = z
  .strictObject({
    format: z.literal(UPDATE_MANIFEST_FORMAT),
    version: z.string().refine(isReleaseVersion, 'must be a release version such as 1.4.0'),
    files: z
      .array(
        z.strictObject({
          name: fileNameSchema,
          size: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
          sha512: sha512Schema,
        }),
      )
      .min(1)
      .max(64),
  })
  .superRefine((manifest, ctx) => {
    const seen = new Set<string>();
    manifest.files.forEach((file, index) => {
      if (seen.has(file.name)) ctx.addIssue({ code: 'custom', path: ['files', index, 'name'], message: `names ${file.name} twice` });
      seen.add(file.name);
    });
  });
export type UpdateManifest = z.infer<typeof updateManifestSchema>;
export type UpdateManifestFile = UpdateManifest['files'][number];
