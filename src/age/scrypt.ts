/** The `scrypt` stanza: a file key wrapped under a passphrase. */

import { randomBytes, scrypt } from 'node:crypto'
import { AgeError } from '../errors.js'
import type { Stanza } from './header.js'
import {
  decodeCanonicalBase64,
  encodeBase64,
  unwrapFileKey,
  wrapFileKey,
  WRAPPED_FILE_KEY_LENGTH
} from './primitives.js'

export const SCRYPT_STANZA_TYPE = 'scrypt'
const SALT_LABEL = 'age-encryption.org/v1/scrypt'
const SALT_LENGTH = 16
const BLOCK_SIZE = 8
/** age's default: about a second on a laptop. */
export const DEFAULT_WORK_FACTOR = 18
/**
 * The ceiling when decrypting, unless raised. age's own is 22 (4 GiB and about a minute on a runner, spent before the
 * passphrase is known to be right); 20 (1 GiB) is four times the work of what this action, age, typage and rage on
 * most machines write, and a file above it is more likely crafted than real.
 */
export const DEFAULT_MAX_WORK_FACTOR = 20
/** What raises the ceiling, for the message that names it. */
const RAISE_LIMIT =
  "raise the limit with etcd-snapshot's --max-work-factor or the restore action's max-work-factor input"

/** Beyond this scrypt needs more than 1 TiB; no sane file uses it, and age's own limit is the same. */
export const HARD_MAX_WORK_FACTOR = 30

/** What scrypt needs at a work factor (128 * N * r bytes), said as a person reads it. */
function memoryFor(workFactor: number): string {
  const bytes = 128 * BLOCK_SIZE * 2 ** workFactor
  return bytes >= 2 ** 30 ? `${bytes / 2 ** 30} GiB` : `${bytes / 2 ** 20} MiB`
}

function deriveWrapKey(passphrase: string, salt: Buffer, workFactor: number): Promise<Buffer> {
  const N = 2 ** workFactor
  // scrypt needs 128 * N * r bytes; Node's default cap (32 MiB) is far below age's work factors.
  const maxmem = 128 * N * BLOCK_SIZE + (32 << 20)
  return new Promise((resolve, reject) => {
    scrypt(
      Buffer.from(passphrase, 'utf8'),
      Buffer.concat([Buffer.from(SALT_LABEL), salt]),
      32,
      { N, r: BLOCK_SIZE, p: 1, maxmem },
      (err, key) => {
        if (err) reject(new AgeError(`scrypt key derivation failed (work factor ${workFactor}): ${err.message}`))
        else resolve(key)
      }
    )
  })
}

/** Throws unless `workFactor` is an integer age can use. */
export function checkWorkFactor(workFactor: number, name: string): void {
  if (!Number.isInteger(workFactor) || workFactor < 1 || workFactor > HARD_MAX_WORK_FACTOR) {
    throw new AgeError(
      `${name} must be an integer from 1 to ${HARD_MAX_WORK_FACTOR} (age uses ${DEFAULT_WORK_FACTOR}), got ${String(workFactor)}`
    )
  }
}

export async function wrapWithPassphrase(fileKey: Uint8Array, passphrase: string, workFactor: number): Promise<Stanza> {
  const salt = randomBytes(SALT_LENGTH)
  const wrapKey = await deriveWrapKey(passphrase, salt, workFactor)
  return {
    type: SCRYPT_STANZA_TYPE,
    args: [encodeBase64(salt), String(workFactor)],
    body: wrapFileKey(wrapKey, fileKey)
  }
}

export interface ScryptStanza {
  readonly salt: Buffer
  readonly workFactor: number
  readonly body: Buffer
}

/** Checks an `scrypt` stanza's shape: a canonical 16-byte salt, a decimal work factor, a 32-byte body. */
export function parseScryptStanza(stanza: Stanza, maxWorkFactor: number): ScryptStanza {
  const fail = (what: string): never => {
    throw new AgeError(`age header is invalid: the scrypt stanza ${what}`)
  }
  if (stanza.args.length !== 2) fail(`has ${stanza.args.length} arguments, expected 2 (salt and work factor)`)
  const [saltText, factorText] = stanza.args as [string, string]
  const salt = decodeCanonicalBase64(saltText)
  if (salt === undefined || salt.length !== SALT_LENGTH) fail(`salt is not ${SALT_LENGTH} bytes of canonical base64`)
  // Decimal without sign or leading zero (so no octal or hex surprises).
  if (!/^[1-9][0-9]*$/.test(factorText)) fail('work factor is not a positive decimal integer without leading zeros')
  const workFactor = factorText.length > 3 ? Infinity : Number(factorText)
  if (workFactor > maxWorkFactor) {
    const shown = factorText.length > 12 ? `${factorText.slice(0, 12)}...` : factorText
    const cost =
      workFactor > HARD_MAX_WORK_FACTOR ? 'more memory than any machine has' : `${memoryFor(workFactor)} of memory`
    throw new AgeError(
      `the file's scrypt work factor ${shown} exceeds the limit of ${maxWorkFactor} (it would take ${cost}); only if you trust this file, ${RAISE_LIMIT}`
    )
  }
  if (stanza.body.length !== WRAPPED_FILE_KEY_LENGTH)
    fail(`body is ${stanza.body.length} bytes, expected ${WRAPPED_FILE_KEY_LENGTH}`)
  return { salt: salt!, workFactor, body: stanza.body }
}

/** The file key, or `undefined` if the passphrase (or work factor) is wrong. */
export async function unwrapWithPassphrase(stanza: ScryptStanza, passphrase: string): Promise<Buffer | undefined> {
  const wrapKey = await deriveWrapKey(passphrase, stanza.salt, stanza.workFactor)
  return unwrapFileKey(wrapKey, stanza.body)
}

/** The spec requires an scrypt stanza to be alone, so a passphrase-encrypted file is known to come from someone holding the passphrase. */
export function checkScryptIsAlone(stanzas: readonly Stanza[]): void {
  if (stanzas.length > 1 && stanzas.some(s => s.type === SCRYPT_STANZA_TYPE)) {
    throw new AgeError('age header is invalid: an scrypt (passphrase) stanza must be the only recipient stanza')
  }
}

/** Finds the file key with a passphrase; throws AgeError if the file has no scrypt stanza or the passphrase is wrong. */
export async function findFileKeyWithPassphrase(
  stanzas: readonly Stanza[],
  passphrase: string,
  maxWorkFactor: number
): Promise<Buffer> {
  checkScryptIsAlone(stanzas)
  const stanza = stanzas.find(s => s.type === SCRYPT_STANZA_TYPE)
  if (stanza === undefined) {
    throw new AgeError(
      'wrong passphrase or file is not passphrase-encrypted: it was encrypted to public keys, decrypt it with an identity'
    )
  }
  const fileKey = await unwrapWithPassphrase(parseScryptStanza(stanza, maxWorkFactor), passphrase)
  if (fileKey === undefined) throw new AgeError('wrong passphrase or file is not passphrase-encrypted')
  return fileKey
}
