// Set-Cookie is the one response header Envoy never folds into a comma-joined value: each appended
// HeaderValueOption becomes its own header line (RFC 6265 3; Expires dates contain commas). The
// emulator's plain header map cannot hold that, so responses also carry every Set-Cookie separately.
import type { HeaderValueOption } from './ext-authz-request.js';

/** The Set-Cookie values of header options, in order, one per header line as Envoy sends them. */
export function setCookiesOf(options: readonly HeaderValueOption[] | undefined): string[] {
  return (options ?? [])
    .filter((option) => option.header?.key?.toLowerCase() === 'set-cookie')
    .map((option) => option.header?.value ?? option.header?.raw_value?.toString() ?? '');
}
