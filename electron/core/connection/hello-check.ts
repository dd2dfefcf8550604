import { checkServerUrl, type Hello } from '../../../shared/protocol';

/*
 * The challenge is signed over the URL the app dialled, so a server relaying another server's
 * challenge would only get a useless signature. Checking the hello first turns that case, and a
 * server whose --public-url is misconfigured, into a refusal that names both URLs, instead of a
 * bare auth failure the user cannot act on.
 */

/** Why this hello must not be answered, or undefined when it names the server that was dialled. */
export function helloMismatch(dialled: string, hello: Hello): string | undefined {
  let named: string;
  try {
    named = checkServerUrl(hello.serverUrl);
  } catch {
    return `the server at ${dialled} gave an unusable address for itself; ask IT to check its --public-url`;
  }
  if (named === dialled) return undefined;
  return `the server at ${dialled} says it is ${named}; ask IT to check the server's --public-url (nothing was signed)`;
}
