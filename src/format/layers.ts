import type { AgeRecipient } from '../age/index.js'

/** The compression layer, inside the encryption layer. */
export type Compression = 'zstd' | 'gzip' | 'none'

/** The encryption layer, outermost: age to recipients, age with a passphrase, or none. */
export type Encryption =
  | { kind: 'age-recipients'; recipients: AgeRecipient[]; recipientStrings: string[] }
  | { kind: 'age-passphrase'; passphrase: string }
  | { kind: 'none' }
