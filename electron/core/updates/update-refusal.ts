/** Why an update was not installed. Each code has one clear log line; none carries a secret (there are none on this side). */
export type UpdateRefusalCode =
  | 'feed-unreachable'
  | 'unsigned'
  | 'malformed'
  | 'bad-signature'
  | 'not-newer'
  | 'version-mismatch'
  | 'file-not-listed'
  | 'file-mismatch';

export class UpdateRefusal extends Error {
  override readonly name = 'UpdateRefusal';
  constructor(
    readonly code: UpdateRefusalCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
