/**
 * The wire protocol version. Every message carries it as `v`; a peer that sees another version
 * refuses the message with 'unsupported-version' instead of guessing at its meaning.
 */
export const PROTOCOL_VERSION = 1;
