/**
 * X25519 recipients (`age1...`) and identities (`AGE-SECRET-KEY-1...`), and the X25519 stanza that
 * wraps a file key for them. The curve work is node:crypto's; raw 32-byte keys are wrapped in the
 * fixed DER prefixes of RFC 8410 so OpenSSL can import them.
 */

import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { AgeError } from '../errors.js'
import { decodeBech32, encodeBech32 } from './bech32.js'
import { MAX_STANZAS, type Stanza } from './header.js'
import {
  decodeCanonicalBase64,
  encodeBase64,
  hkdfSha256,
  unwrapFileKey,
  wrapFileKey,
  WRAPPED_FILE_KEY_LENGTH
} from './primitives.js'
import { checkScryptIsAlone, SCRYPT_STANZA_TYPE } from './scrypt.js'

const RECIPIENT_HRP = 'age'
const IDENTITY_HRP = 'age-secret-key-'
const KEY_LENGTH = 32
const RECIPIENT_LENGTH = 62
export const X25519_STANZA_TYPE = 'X25519'
const X25519_INFO = 'age-encryption.org/v1/X25519'

// RFC 8410 DER headers for X25519 (OID 1.3.101.110) SubjectPublicKeyInfo and PKCS#8 private keys.
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex')
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')

function importPublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
}

function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length)
}

/** A public key files are encrypted to. */
export class X25519Recipient {
  readonly #publicKey: Buffer
  readonly #keyObject: KeyObject

  constructor(publicKey: Uint8Array) {
    if (publicKey.length !== KEY_LENGTH)
      throw new AgeError(`an X25519 public key is ${KEY_LENGTH} bytes, not ${publicKey.length}`)
    this.#publicKey = Buffer.from(publicKey)
    this.#keyObject = importPublicKey(this.#publicKey)
  }

  /** The `age1...` encoding. */
  toString(): string {
    return encodeBech32(RECIPIENT_HRP, this.#publicKey)
  }

  toJSON(): string {
    return this.toString()
  }

  /** Wraps the file key in an `X25519` stanza for this recipient, with a fresh ephemeral key. */
  wrap(fileKey: Uint8Array): Stanza {
    const ephemeral = generateKeyPairSync('x25519')
    const share = rawPublicKey(ephemeral.publicKey)
    const secret = sharedSecret(ephemeral.privateKey, this.#keyObject)
    if (secret === undefined) {
      throw new AgeError(
        `recipient ${this.toString()} is a low-order X25519 point; it cannot receive files, use a real age1... recipient`
      )
    }
    const wrapKey = hkdfSha256(secret, Buffer.concat([share, this.#publicKey]), X25519_INFO)
    return { type: X25519_STANZA_TYPE, args: [encodeBase64(share)], body: wrapFileKey(wrapKey, fileKey) }
  }
}

/** A secret key that can decrypt files encrypted to its recipient. The secret never leaves node:crypto's KeyObject. */
export class X25519Identity {
  readonly #privateKey: KeyObject
  readonly #recipient: X25519Recipient
  readonly #publicKey: Buffer

  constructor(secretKey: Uint8Array) {
    if (secretKey.length !== KEY_LENGTH)
      throw new AgeError(`an X25519 secret key is ${KEY_LENGTH} bytes, not ${secretKey.length}`)
    this.#privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' })
    this.#publicKey = rawPublicKey(createPublicKey(this.#privateKey))
    this.#recipient = new X25519Recipient(this.#publicKey)
  }

  get recipient(): X25519Recipient {
    return this.#recipient
  }

  // Never print or serialise the secret.
  toString(): string {
    return `[age identity for ${this.#recipient.toString()}]`
  }

  toJSON(): string {
    return this.toString()
  }

  /**
   * Tries to unwrap the file key from a validated X25519 stanza: `undefined` if the stanza was made
   * for someone else. Throws AgeError for a low-order share, which the spec says must abort.
   */
  unwrap(stanza: X25519Stanza): Buffer | undefined {
    const secret = sharedSecret(this.#privateKey, importPublicKey(stanza.share))
    if (secret === undefined)
      throw new AgeError(
        'age header is invalid: an X25519 stanza has a low-order share (the file was crafted to be undecryptable)'
      )
    const wrapKey = hkdfSha256(secret, Buffer.concat([stanza.share, this.#publicKey]), X25519_INFO)
    return unwrapFileKey(wrapKey, stanza.body)
  }
}

/** The X25519 shared secret, or `undefined` for the all-zero result of a low-order point. */
function sharedSecret(privateKey: KeyObject, publicKey: KeyObject): Buffer | undefined {
  let secret: Buffer
  try {
    secret = diffieHellman({ privateKey, publicKey })
  } catch {
    // OpenSSL refuses to return the all-zero secret.
    return undefined
  }
  return secret.every(b => b === 0) ? undefined : secret
}

export interface X25519Stanza {
  readonly share: Buffer
  readonly body: Buffer
}

/** Checks an `X25519` stanza's shape (one canonical 32-byte share, a 32-byte body). */
export function parseX25519Stanza(stanza: Stanza, position: number): X25519Stanza {
  const fail = (what: string): never => {
    throw new AgeError(`age header is invalid: X25519 stanza ${position} ${what}`)
  }
  if (stanza.args.length !== 1) fail(`has ${stanza.args.length} arguments, expected 1`)
  const share = decodeCanonicalBase64(stanza.args[0]!)
  if (share === undefined) fail('has a share that is not canonical base64')
  if (share!.length !== KEY_LENGTH) fail(`has a ${share!.length}-byte share, expected ${KEY_LENGTH}`)
  if (stanza.body.length !== WRAPPED_FILE_KEY_LENGTH)
    fail(`has a ${stanza.body.length}-byte body, expected ${WRAPPED_FILE_KEY_LENGTH}`)
  return { share: share!, body: stanza.body }
}

function shortPrefix(text: string): string {
  const printable = text.replace(/[^\x21-\x7e]/g, '?')
  return printable.length > 12 ? `${printable.slice(0, 12)}...` : printable
}

/**
 * Parses X25519 recipients (`age1...`). Messages name the 1-based position and show at most a short
 * prefix of the entry, and never any part of a secret key pasted by mistake.
 */
export function parseRecipients(list: readonly string[]): X25519Recipient[] {
  checkRecipientCount(list.length)
  return list.map((entry, i) => parseRecipient(entry, i + 1))
}

/** A file for more recipients than a header may hold would be refused when decrypted: never write one. */
export function checkRecipientCount(count: number): void {
  if (count > MAX_STANZAS)
    throw new AgeError(
      `${count} recipients are more than the ${MAX_STANZAS} an age file may have; use fewer recipients`
    )
}

function parseRecipient(entry: string, position: number): X25519Recipient {
  const text = entry.trim()
  const where = `recipient ${position}`
  if (text === '')
    throw new AgeError(`${where} is empty; expected an age recipient (age1..., ${RECIPIENT_LENGTH} chars)`)
  if (/^AGE-/i.test(text)) {
    throw new AgeError(
      `${where} is an age identity (secret key), not a recipient: pass its public key from \`age-keygen -y\``
    )
  }
  const ssh = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-\S+|sk-\S+)\s/.exec(text)
  if (ssh) {
    throw new AgeError(
      `${where} is an SSH public key (${ssh[1]}); SSH recipients are not supported, use an age X25519 recipient (age1...) from age-keygen`
    )
  }
  const decoded = decodeBech32(text)
  if (decoded.ok && decoded.hrp !== RECIPIENT_HRP && decoded.hrp.startsWith('age1')) {
    throw new AgeError(
      `${where} (${decoded.hrp}1...) is a plugin or post-quantum recipient, which is not supported; use an X25519 recipient (age1..., ${RECIPIENT_LENGTH} chars) from age-keygen`
    )
  }
  let problem: string | undefined
  if (!decoded.ok) problem = decoded.reason
  else if (decoded.hrp !== RECIPIENT_HRP) problem = 'does not start with age1'
  else if (decoded.data.length !== KEY_LENGTH) problem = `holds ${decoded.data.length} bytes instead of ${KEY_LENGTH}`
  if (problem !== undefined || !decoded.ok) {
    throw new AgeError(
      `${where} is not a valid age recipient (expected age1..., ${RECIPIENT_LENGTH} chars): ${shortPrefix(text)} ${problem}`
    )
  }
  return new X25519Recipient(decoded.data)
}

/**
 * Parses the text of an age identity file: one `AGE-SECRET-KEY-1...` per line, `#` comments and
 * blank lines allowed. Messages give line numbers and never echo a line.
 */
export function parseIdentities(text: string): X25519Identity[] {
  const identities: X25519Identity[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '' || line.startsWith('#')) continue
    identities.push(parseIdentityLine(line, i + 1))
  }
  if (identities.length === 0) {
    throw new AgeError(
      'identity file contains no identities: expected lines starting with AGE-SECRET-KEY-1 (as written by age-keygen)'
    )
  }
  return identities
}

function parseIdentityLine(line: string, lineNumber: number): X25519Identity {
  const where = `identity file line ${lineNumber}`
  if (/^AGE-SECRET-KEY-PQ-1/i.test(line)) {
    throw new AgeError(
      `${where} is a post-quantum (ML-KEM hybrid) identity, which is not supported; use an X25519 identity from age-keygen`
    )
  }
  if (/^AGE-PLUGIN-/i.test(line)) {
    throw new AgeError(`${where} is a plugin identity, which is not supported; use an X25519 identity from age-keygen`)
  }
  if (/^age1/i.test(line)) {
    throw new AgeError(
      `${where} is a recipient (public key), not an identity; pass the secret key file written by age-keygen`
    )
  }
  if (/^-----BEGIN /.test(line) || /^ssh-/.test(line)) {
    throw new AgeError(
      `${where} is an SSH key; SSH identities are not supported, use an X25519 identity from age-keygen`
    )
  }
  if (!/^AGE-SECRET-KEY-1/i.test(line)) {
    throw new AgeError(`${where} is not an age identity: expected AGE-SECRET-KEY-1... (as written by age-keygen)`)
  }
  const decoded = decodeBech32(line)
  if (!decoded.ok) throw new AgeError(`${where} is not a valid age identity: it ${decoded.reason}`)
  if (decoded.hrp !== IDENTITY_HRP || decoded.data.length !== KEY_LENGTH) {
    throw new AgeError(
      `${where} is not a valid age identity: it holds ${decoded.data.length} bytes instead of ${KEY_LENGTH}`
    )
  }
  const identity = new X25519Identity(decoded.data)
  decoded.data.fill(0)
  return identity
}

/** The `age1...` recipient string of an identity (what `age-keygen -y` prints). */
export function identityToRecipient(identity: X25519Identity): string {
  return identity.recipient.toString()
}

/** Finds the file key with X25519 identities; throws AgeError if none matches or a stanza is malformed. */
export function findFileKeyWithIdentities(stanzas: readonly Stanza[], identities: readonly X25519Identity[]): Buffer {
  checkScryptIsAlone(stanzas)
  if (stanzas.some(s => s.type === SCRYPT_STANZA_TYPE)) {
    throw new AgeError('no identity matches this file: it is passphrase-encrypted, decrypt it with the passphrase')
  }
  // Validate every X25519 stanza first so a malformed one is reported whatever the stanza order.
  const candidates = stanzas.flatMap((s, i) => (s.type === X25519_STANZA_TYPE ? [parseX25519Stanza(s, i + 1)] : []))
  for (const stanza of candidates) {
    for (const identity of identities) {
      const fileKey = identity.unwrap(stanza)
      if (fileKey !== undefined) return fileKey
    }
  }
  throw new AgeError('no identity matches this file (wrong key?)')
}
