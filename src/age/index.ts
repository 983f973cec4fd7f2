/**
 * age v1 (https://age-encryption.org/v1) over node:crypto: X25519 recipients and passphrases
 * (scrypt), streaming encryption and decryption. Not supported: ASCII armor, SSH keys, plugins,
 * post-quantum hybrid keys.
 */

import { randomBytes } from 'node:crypto'
import type { Transform } from 'node:stream'
import { AgeError } from '../errors.js'
import { encodeHeader } from './header.js'
import { checkRecipientCount, findFileKeyWithIdentities, X25519Identity, X25519Recipient } from './keys.js'
import { FILE_KEY_LENGTH } from './primitives.js'
import {
  checkWorkFactor,
  DEFAULT_MAX_WORK_FACTOR,
  DEFAULT_WORK_FACTOR,
  findFileKeyWithPassphrase,
  wrapWithPassphrase
} from './scrypt.js'
import { AgeDecryptStream, AgeEncryptStream, type EncryptionStart } from './stream.js'

export { identityToRecipient, parseIdentities, parseRecipients, X25519Identity, X25519Recipient } from './keys.js'
export { CIPHERTEXT_CHUNK_SIZE, PLAINTEXT_CHUNK_SIZE } from './stream.js'
export {
  DEFAULT_MAX_WORK_FACTOR,
  DEFAULT_WORK_FACTOR,
  HARD_MAX_WORK_FACTOR as MAX_WORK_FACTOR_LIMIT
} from './scrypt.js'

/** A public key a file can be encrypted to (`age1...`). */
export type AgeRecipient = X25519Recipient
/** A secret key that can decrypt files (`AGE-SECRET-KEY-1...`). */
export type AgeIdentity = X25519Identity

export type EncryptOptions =
  { readonly recipients: readonly AgeRecipient[] } | { readonly passphrase: string; readonly workFactor?: number }

export type DecryptOptions =
  { readonly identities: readonly AgeIdentity[] } | { readonly passphrase: string; readonly maxWorkFactor?: number }

function checkPassphrase(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== 'string' || passphrase === '')
    throw new AgeError('the age passphrase is empty; pass a non-empty passphrase')
}

/**
 * A Transform that turns plaintext into a complete age v1 file. Memory use is constant (one 64 KiB
 * chunk is held back, since the final chunk is sealed differently). With a passphrase the scrypt
 * derivation runs in the background; the header is written once it is done.
 */
export function createEncryptStream(options: EncryptOptions): Transform {
  if ('passphrase' in options && 'recipients' in options) {
    throw new AgeError(
      'pass either age recipients or a passphrase, not both: the spec requires a passphrase to be the only recipient'
    )
  }
  const fileKey = randomBytes(FILE_KEY_LENGTH)
  let start: EncryptionStart | Promise<EncryptionStart>
  if ('passphrase' in options) {
    checkPassphrase(options.passphrase)
    const workFactor = options.workFactor ?? DEFAULT_WORK_FACTOR
    checkWorkFactor(workFactor, 'workFactor')
    start = wrapWithPassphrase(fileKey, options.passphrase, workFactor).then(stanza => ({
      header: encodeHeader([stanza], fileKey),
      fileKey
    }))
  } else {
    const { recipients } = options
    if (recipients.length === 0) throw new AgeError('no age recipients given; pass at least one age1... recipient')
    checkRecipientCount(recipients.length)
    recipients.forEach((r, i) => {
      if (!(r instanceof X25519Recipient))
        throw new AgeError(`recipient ${i + 1} is not a parsed age recipient; use parseRecipients()`)
    })
    start = {
      header: encodeHeader(
        recipients.map(r => r.wrap(fileKey)),
        fileKey
      ),
      fileKey
    }
  }
  return new AgeEncryptStream(start)
}

/**
 * A Transform that turns an age v1 file into plaintext. Every chunk is authenticated before any of
 * its plaintext is pushed; the stream fails with an AgeError on a wrong key, a tampered or
 * truncated file, or anything the spec says to reject.
 */
export function createDecryptStream(options: DecryptOptions): Transform {
  if ('passphrase' in options && 'identities' in options) {
    throw new AgeError('pass either age identities or a passphrase, not both')
  }
  if ('passphrase' in options) {
    const { passphrase } = options
    checkPassphrase(passphrase)
    const maxWorkFactor = options.maxWorkFactor ?? DEFAULT_MAX_WORK_FACTOR
    checkWorkFactor(maxWorkFactor, 'maxWorkFactor')
    return new AgeDecryptStream(stanzas => findFileKeyWithPassphrase(stanzas, passphrase, maxWorkFactor))
  }
  const identities = [...options.identities]
  if (identities.length === 0)
    throw new AgeError('no age identities given; pass at least one AGE-SECRET-KEY-1... identity')
  identities.forEach((id, i) => {
    if (!(id instanceof X25519Identity))
      throw new AgeError(`identity ${i + 1} is not a parsed age identity; use parseIdentities()`)
  })
  return new AgeDecryptStream(stanzas => findFileKeyWithIdentities(stanzas, identities))
}
