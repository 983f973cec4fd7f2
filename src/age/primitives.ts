/** The small cryptographic and encoding building blocks shared by the age header and its stanzas. */

import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto'

export const FILE_KEY_LENGTH = 16
const TAG_LENGTH = 16
/** A wrapped file key: the 16-byte key sealed with ChaCha20-Poly1305. */
export const WRAPPED_FILE_KEY_LENGTH = FILE_KEY_LENGTH + TAG_LENGTH

// Stanza bodies use a fresh wrap key per file, so the all-zero nonce is safe (age spec).
const ZERO_NONCE = Buffer.alloc(12)

export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length))
}

/** Seals the file key under a wrap key, giving a stanza body. */
export function wrapFileKey(wrapKey: Uint8Array, fileKey: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', wrapKey, ZERO_NONCE, { authTagLength: TAG_LENGTH })
  const sealed = cipher.update(fileKey)
  cipher.final()
  return Buffer.concat([sealed, cipher.getAuthTag()])
}

/** Opens a stanza body; `undefined` when it does not authenticate (a different key wrapped it). */
export function unwrapFileKey(wrapKey: Uint8Array, body: Buffer): Buffer | undefined {
  if (body.length !== WRAPPED_FILE_KEY_LENGTH) return undefined
  const decipher = createDecipheriv('chacha20-poly1305', wrapKey, ZERO_NONCE, { authTagLength: TAG_LENGTH })
  decipher.setAuthTag(body.subarray(FILE_KEY_LENGTH))
  const fileKey = decipher.update(body.subarray(0, FILE_KEY_LENGTH))
  try {
    decipher.final()
  } catch {
    return undefined
  }
  return fileKey
}

/** Standard base64 without padding, as every base64 string in an age header is written. */
export function encodeBase64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64').replace(/=+$/, '')
}

const BASE64_UNPADDED = /^[A-Za-z0-9+/]*$/

/**
 * Decodes unpadded standard base64, accepting only the canonical encoding (no padding, no stray
 * bits in the last character), as the spec requires: Node's own decoder is lenient.
 */
export function decodeCanonicalBase64(text: string): Buffer | undefined {
  if (!BASE64_UNPADDED.test(text) || text.length % 4 === 1) return undefined
  const data = Buffer.from(text, 'base64')
  return encodeBase64(data) === text ? data : undefined
}
