/** The building blocks under age's header: HKDF, ChaCha20-Poly1305 key wrapping, canonical unpadded base64. */
import { createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import {
  decodeCanonicalBase64,
  encodeBase64,
  FILE_KEY_LENGTH,
  hkdfSha256,
  unwrapFileKey,
  WRAPPED_FILE_KEY_LENGTH,
  wrapFileKey
} from '../../../src/age/primitives.js'

describe('hkdfSha256', () => {
  // RFC 5869's own vectors use non-UTF-8 info bytes, which a string info cannot carry: compare with the definition.
  it('is HKDF-SHA-256 as RFC 5869 defines it (extract, then expand)', () => {
    const ikm = randomBytes(32)
    const salt = randomBytes(16)
    const info = 'age-encryption.org/v1/X25519'
    const prk = createHmac('sha256', salt).update(ikm).digest()
    const t1 = createHmac('sha256', prk)
      .update(Buffer.concat([Buffer.from(info), Buffer.from([1])]))
      .digest()
    const t2 = createHmac('sha256', prk)
      .update(Buffer.concat([t1, Buffer.from(info), Buffer.from([2])]))
      .digest()
    expect(hkdfSha256(ikm, salt, info).equals(t1)).toBe(true)
    expect(hkdfSha256(ikm, salt, info, 42).equals(Buffer.concat([t1, t2]).subarray(0, 42))).toBe(true)
  })
})

describe('wrapFileKey and unwrapFileKey', () => {
  it('round-trip a file key, and give undefined for another wrap key or a damaged body', () => {
    const wrapKey = randomBytes(32)
    const fileKey = randomBytes(FILE_KEY_LENGTH)
    const body = wrapFileKey(wrapKey, fileKey)
    expect(body.length).toBe(WRAPPED_FILE_KEY_LENGTH)
    expect(unwrapFileKey(wrapKey, body)?.equals(fileKey)).toBe(true)
    expect(unwrapFileKey(randomBytes(32), body)).toBeUndefined()
    const damaged = Buffer.from(body)
    damaged[0]! ^= 1
    expect(unwrapFileKey(wrapKey, damaged)).toBeUndefined()
    expect(unwrapFileKey(wrapKey, body.subarray(1))).toBeUndefined()
  })
})

describe('base64', () => {
  it('encodes without padding', () => {
    expect(encodeBase64(Buffer.from('a'))).toBe('YQ')
    expect(encodeBase64(Buffer.from('abc'))).toBe('YWJj')
    expect(encodeBase64(new Uint8Array(Buffer.from('xxab').buffer, Buffer.from('xxab').byteOffset + 2, 2))).toBe('YWI')
  })

  it('decodes only the canonical unpadded form', () => {
    expect(decodeCanonicalBase64('YQ')?.toString()).toBe('a')
    expect(decodeCanonicalBase64('')?.length).toBe(0)
    expect(decodeCanonicalBase64('YQ==')).toBeUndefined()
    expect(decodeCanonicalBase64('YR')).toBeUndefined() // stray bits in the last character
    expect(decodeCanonicalBase64('Y')).toBeUndefined()
    expect(decodeCanonicalBase64('YW-j')).toBeUndefined()
    expect(decodeCanonicalBase64('YW\nJj')).toBeUndefined()
  })
})
