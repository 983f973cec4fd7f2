/**
 * The C2SP/CCTV age test vectors (npm `cctv-age`). Every vector using X25519 identities or
 * passphrases must give exactly the expected outcome, and the plaintext released (even by a stream
 * that then fails) must match the vector's payload hash. Vectors for features src/age does not
 * implement (ASCII armor, post-quantum hybrid keys) are counted and must fail in the documented way.
 */

import { randomBytes } from 'node:crypto'
import * as cctv from 'cctv-age'
import { AgeError } from '../../../src/errors.js'
import { parseIdentities, X25519Identity, type DecryptOptions } from '../../../src/age/index.js'
import { decrypt, parseVector, sha256Hex, type AgeVector } from '../../harness/age.js'

const all = Object.entries(cctv as Record<string, Uint8Array>).map(([name, bytes]) => parseVector(name, bytes))
const isHybrid = (v: AgeVector): boolean => v.identities.some(id => id.startsWith('AGE-SECRET-KEY-PQ-'))
const armored = all.filter(v => v.armored)
const hybrid = all.filter(v => !v.armored && isHybrid(v))
const supported = all.filter(v => !v.armored && !isHybrid(v))

/** Maps our error messages onto the vectors' outcome classes. */
function outcome(error: Error | undefined): string {
  if (error === undefined) return 'success'
  if (!(error instanceof AgeError)) return `not an AgeError: ${error.name}: ${error.message}`
  const m = error.message
  if (m.includes('\n')) return `multi-line message: ${m}`
  if (/^header MAC check failed/.test(m)) return 'HMAC failure'
  if (/^(no identity matches this file|wrong passphrase or file is not passphrase-encrypted)/.test(m)) return 'no match'
  if (/^(not an age file|age header is|unsupported age format version|the file's scrypt work factor)/.test(m))
    return 'header failure'
  if (/^file (is truncated|was tampered with|has (\d+ bytes? of )?trailing data|is malformed)/.test(m))
    return 'payload failure'
  return `unclassified: ${m}`
}

/** Every way the vector says it may be decrypted: with all its identities, or with each passphrase. */
function decryptOptions(v: AgeVector): DecryptOptions[] {
  const options: DecryptOptions[] = []
  if (v.identities.length > 0) options.push({ identities: parseIdentities(v.identities.join('\n')) })
  for (const passphrase of v.passphrases) options.push({ passphrase })
  // Vectors without keys fail before any key is needed; any identity will do.
  if (options.length === 0) options.push({ identities: [new X25519Identity(randomBytes(32))] })
  return options
}

describe('CCTV age vectors', () => {
  test('all vectors are accounted for: supported, armored or post-quantum', () => {
    expect(all).toHaveLength(143)
    expect(supported).toHaveLength(92)
    expect(armored).toHaveLength(33)
    expect(hybrid).toHaveLength(18)
    expect(armored.every(v => v.name.startsWith('armor_'))).toBe(true)
    expect(hybrid.every(v => v.name.startsWith('hybrid'))).toBe(true)
    // The supported set covers every outcome class.
    expect(new Set(supported.map(v => v.expect))).toEqual(
      new Set(['success', 'no match', 'HMAC failure', 'header failure', 'payload failure'])
    )
  })

  test.each(supported.map(v => [v.name, v] as const))('%s', async (_name, v) => {
    // Whole file, exact STREAM chunks, and odd pieces (or single bytes for small files) all agree.
    const pieceSizes = v.file.length < 4096 ? [Math.max(v.file.length, 1), 1] : [v.file.length, 65552, 1021]
    for (const options of decryptOptions(v)) {
      for (const pieceSize of pieceSizes) {
        const result = await decrypt(v.file, options, pieceSize)
        expect({ pieceSize, outcome: outcome(result.error) }).toEqual({ pieceSize, outcome: v.expect })
        if (v.payloadSha256 !== undefined) expect(sha256Hex(result.plaintext)).toBe(v.payloadSha256)
        else expect(result.plaintext).toHaveLength(0)
      }
    }
  })

  test.each(armored.map(v => [v.name, v] as const))('%s (armored: rejected as unsupported)', async (_name, v) => {
    const options =
      v.identities.length > 0 && !isHybrid(v)
        ? decryptOptions(v)[0]!
        : { identities: [new X25519Identity(randomBytes(32))] }
    const result = await decrypt(v.file, options)
    expect(result.error).toBeInstanceOf(AgeError)
    // Well-formed armor is recognised and named; a mangled BEGIN line is simply not an age file.
    expect(result.error!.message).toMatch(
      v.expect === 'armor failure'
        ? /^(this is an ASCII-armored age file|not an age file)/
        : /^this is an ASCII-armored age file/
    )
    expect(result.plaintext).toHaveLength(0)
  })

  test.each(hybrid.map(v => [v.name, v] as const))(
    '%s (post-quantum identity: rejected as unsupported)',
    (_name, v) => {
      const pq = v.identities.find(id => id.startsWith('AGE-SECRET-KEY-PQ-'))!
      expect(() => parseIdentities(pq)).toThrow(AgeError)
      expect(() => parseIdentities(pq)).toThrow(
        /^identity file line 1 is a post-quantum \(ML-KEM hybrid\) identity, which is not supported/
      )
    }
  )
})
