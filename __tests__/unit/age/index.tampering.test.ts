/**
 * Damaged, tampered and mismatched files: each must fail with an AgeError whose one-line message
 * names the problem, and no plaintext of a chunk may be released before that chunk authenticates.
 */

import { randomBytes } from 'node:crypto'
import { AgeError } from '../../../src/errors.js'
import { X25519Identity, type DecryptOptions } from '../../../src/age/index.js'
import { decrypt, encrypt } from '../../harness/age.js'

const CHUNK = 64 * 1024
const SEALED_CHUNK = CHUNK + 16
/** Four chunks: three full ones and a short final one. */
const plaintext = randomBytes(3 * CHUNK + 100)
const alice = new X25519Identity(randomBytes(32))
const bob = new X25519Identity(randomBytes(32))
const stranger = new X25519Identity(randomBytes(32))
let file: Buffer
let headerEnd: number
let payloadStart: number

beforeAll(async () => {
  file = await encrypt(plaintext, { recipients: [alice.recipient, bob.recipient] })
  headerEnd = file.indexOf('\n', file.indexOf('\n---') + 1) + 1
  payloadStart = headerEnd + 16
})

/** A copy of `data` with the byte at `offset` replaced by `value` (or XOR-flipped). */
function withByte(data: Buffer, offset: number, value?: number): Buffer {
  const copy = Buffer.from(data)
  copy[offset] = value ?? copy[offset]! ^ 0x01
  return copy
}

/** Offset of the first character of the body line of the `n`th stanza (1-based). */
function stanzaBodyOffset(data: Buffer, n: number): number {
  let at = 0
  for (let i = 0; i < n; i++) at = data.indexOf('\n-> ', at + 1)
  return data.indexOf('\n', at + 1) + 1
}

/** Decrypts in whole, in STREAM-chunk-sized and in odd-sized pieces; all must fail the same way. */
async function expectFailure(
  data: Buffer,
  options: DecryptOptions,
  message: string | RegExp,
  released = 0
): Promise<void> {
  for (const pieceSize of [Math.max(data.length, 1), SEALED_CHUNK, 1021]) {
    const result = await decrypt(data, options, pieceSize)
    expect(result.error).toBeInstanceOf(AgeError)
    expect(result.error!.message).not.toContain('\n')
    if (typeof message === 'string') expect(result.error!.message).toBe(message)
    else expect(result.error!.message).toMatch(message)
    // Only whole authenticated chunks, in order, ever come out.
    expect(result.plaintext.length).toBe(released)
    expect(result.plaintext.equals(plaintext.subarray(0, released))).toBe(true)
  }
}

test('the intact file decrypts with either recipient', async () => {
  for (const identity of [alice, bob]) {
    const result = await decrypt(file, { identities: [identity] }, 1021)
    expect(result.error).toBeUndefined()
    expect(result.plaintext.equals(plaintext)).toBe(true)
  }
})

describe('header tampering', () => {
  test("a changed byte in another recipient's stanza fails the header MAC", async () => {
    const at = stanzaBodyOffset(file, 2)
    const tampered = withByte(file, at, file[at] === 0x41 ? 0x42 : 0x41)
    await expectFailure(tampered, { identities: [alice] }, /^header MAC check failed: the age header was tampered with/)
  })

  test('a changed byte in the MAC fails the header MAC', async () => {
    const at = file.indexOf('\n--- ') + 5
    await expectFailure(
      withByte(file, at, file[at] === 0x41 ? 0x42 : 0x41),
      { identities: [alice] },
      /^header MAC check failed/
    )
  })

  test('a changed byte in our own stanza means no identity matches', async () => {
    const at = stanzaBodyOffset(file, 1)
    await expectFailure(
      withByte(file, at, file[at] === 0x41 ? 0x42 : 0x41),
      { identities: [alice] },
      'no identity matches this file (wrong key?)'
    )
  })

  test('a non-base64 byte in a stanza is a malformed header', async () => {
    await expectFailure(
      withByte(file, stanzaBodyOffset(file, 1), 0x21),
      { identities: [alice] },
      /^age header is invalid: line 3 /
    )
  })

  test('a changed version line is an unsupported version', async () => {
    const at = file.indexOf('v1') + 1
    await expectFailure(
      withByte(file, at, 0x32),
      { identities: [alice] },
      'unsupported age format version "age-encryption.org/v2"; only age-encryption.org/v1 is supported'
    )
  })

  test('CRLF line endings are named', async () => {
    const crlf = Buffer.from(file.subarray(0, headerEnd).toString('latin1').replace(/\n/g, '\r\n'), 'latin1')
    await expectFailure(
      Buffer.concat([crlf, file.subarray(headerEnd)]),
      { identities: [alice] },
      /^age header is invalid: line 1 ends with CR/
    )
  })
})

describe('payload tampering', () => {
  test('a flipped bit in the payload nonce fails the first chunk', async () => {
    await expectFailure(
      withByte(file, headerEnd + 3),
      { identities: [alice] },
      'file was tampered with (chunk 1 failed authentication)'
    )
  })

  test('a flipped bit in chunk 2 releases only chunk 1', async () => {
    await expectFailure(
      withByte(file, payloadStart + SEALED_CHUNK + 500),
      { identities: [alice] },
      'file was tampered with (chunk 2 failed authentication)',
      CHUNK
    )
  })

  test('a flipped bit in a tag is caught too', async () => {
    await expectFailure(
      withByte(file, payloadStart + 2 * SEALED_CHUNK - 1),
      { identities: [alice] },
      'file was tampered with (chunk 2 failed authentication)',
      CHUNK
    )
  })

  test('a flipped bit in the final chunk releases the three chunks before it', async () => {
    await expectFailure(
      withByte(file, file.length - 20),
      { identities: [alice] },
      'file is truncated or was tampered with (chunk 4 failed authentication)',
      3 * CHUNK
    )
  })

  test('swapped chunks fail at the first one out of place', async () => {
    const swapped = Buffer.concat([
      file.subarray(0, payloadStart),
      file.subarray(payloadStart + SEALED_CHUNK, payloadStart + 2 * SEALED_CHUNK),
      file.subarray(payloadStart, payloadStart + SEALED_CHUNK),
      file.subarray(payloadStart + 2 * SEALED_CHUNK)
    ])
    await expectFailure(swapped, { identities: [alice] }, 'file was tampered with (chunk 1 failed authentication)')
  })
})

describe('truncation', () => {
  test('missing final chunk', async () => {
    await expectFailure(
      file.subarray(0, payloadStart + 3 * SEALED_CHUNK),
      { identities: [alice] },
      'file is truncated: it ends after chunk 3 without a final chunk',
      3 * CHUNK
    )
  })

  test('cut inside a chunk', async () => {
    await expectFailure(
      file.subarray(0, payloadStart + SEALED_CHUNK + 1000),
      { identities: [alice] },
      'file is truncated or was tampered with (chunk 2 failed authentication)',
      CHUNK
    )
  })

  test('last byte missing', async () => {
    await expectFailure(
      file.subarray(0, file.length - 1),
      { identities: [alice] },
      'file is truncated or was tampered with (chunk 4 failed authentication)',
      3 * CHUNK
    )
  })

  test('cut inside the last tag, leaving less than a tag', async () => {
    await expectFailure(
      file.subarray(0, payloadStart + 3 * SEALED_CHUNK + 10),
      { identities: [alice] },
      'file is truncated: chunk 4 is shorter than its authentication tag',
      3 * CHUNK
    )
  })

  test('no payload after the nonce', async () => {
    await expectFailure(
      file.subarray(0, payloadStart),
      { identities: [alice] },
      'file is truncated: the payload has no chunks'
    )
  })

  test('cut inside the payload nonce', async () => {
    await expectFailure(
      file.subarray(0, headerEnd + 5),
      { identities: [alice] },
      'age header is incomplete: the file ends before the payload nonce (file is truncated)'
    )
  })

  test('cut inside the header', async () => {
    await expectFailure(
      file.subarray(0, headerEnd - 10),
      { identities: [alice] },
      'age header is incomplete: the file ends inside the header (file is truncated)'
    )
  })
})

describe('trailing data', () => {
  test('bytes appended after a short final chunk are counted', async () => {
    await expectFailure(
      Buffer.concat([file, Buffer.from('\n')]),
      { identities: [alice] },
      'file has 1 byte of trailing data after its final chunk (chunk 4); it was tampered with or concatenated',
      3 * CHUNK
    )
    await expectFailure(
      Buffer.concat([file, randomBytes(40)]),
      { identities: [alice] },
      /^file has 40 bytes of trailing data after its final chunk \(chunk 4\)/,
      3 * CHUNK
    )
  })

  test('data after a full final chunk (or a second file) is rejected after the authentic chunks', async () => {
    const aligned = randomBytes(2 * CHUNK)
    const alignedFile = await encrypt(aligned, { recipients: [alice.recipient] })
    for (const extra of [Buffer.from('x'), alignedFile]) {
      const result = await decrypt(Buffer.concat([alignedFile, extra]), { identities: [alice] })
      expect(result.error).toBeInstanceOf(AgeError)
      expect(result.error!.message).toBe(
        'file has trailing data after its final chunk (chunk 2); it was tampered with or concatenated'
      )
      // Both chunks authenticated (the second as the final one) before the extra data was seen.
      expect(result.plaintext.equals(aligned)).toBe(true)
    }
  })
})

describe('wrong keys and not age files', () => {
  test('wrong identity', async () => {
    await expectFailure(file, { identities: [stranger] }, 'no identity matches this file (wrong key?)')
  })

  test('wrong passphrase, and a passphrase for a file encrypted to keys', async () => {
    const passphraseFile = await encrypt(plaintext, { passphrase: 'open sesame', workFactor: 10 })
    await expectFailure(
      passphraseFile,
      { passphrase: 'open sesame!' },
      'wrong passphrase or file is not passphrase-encrypted'
    )
    await expectFailure(
      file,
      { passphrase: 'open sesame' },
      /^wrong passphrase or file is not passphrase-encrypted: it was encrypted to public keys/
    )
  })

  test('an identity for a passphrase-encrypted file', async () => {
    const passphraseFile = await encrypt(plaintext, { passphrase: 'open sesame', workFactor: 10 })
    await expectFailure(
      passphraseFile,
      { identities: [alice] },
      'no identity matches this file: it is passphrase-encrypted, decrypt it with the passphrase'
    )
  })

  test('a work factor above maxWorkFactor is refused before running scrypt', async () => {
    const passphraseFile = await encrypt(Buffer.from('x'), { passphrase: 'open sesame', workFactor: 12 })
    await expectFailure(
      passphraseFile,
      { passphrase: 'open sesame', maxWorkFactor: 11 },
      /^the file's scrypt work factor 12 exceeds the limit of 11/
    )
    const ok = await decrypt(passphraseFile, { passphrase: 'open sesame', maxWorkFactor: 12 })
    expect(ok.plaintext.toString()).toBe('x')
  })

  test('empty input, random bytes, text and armored files', async () => {
    await expectFailure(Buffer.alloc(0), { identities: [alice] }, 'not an age file: it is empty')
    await expectFailure(
      randomBytes(100_000),
      { identities: [alice] },
      'not an age file: it does not start with "age-encryption.org/v1"'
    )
    await expectFailure(
      Buffer.from('hello\n'),
      { identities: [alice] },
      'not an age file: it does not start with "age-encryption.org/v1"'
    )
    const armored = `-----BEGIN AGE ENCRYPTED FILE-----\n${file.subarray(0, 48).toString('base64')}\n-----END AGE ENCRYPTED FILE-----\n`
    await expectFailure(
      Buffer.from(armored),
      { identities: [alice] },
      /^this is an ASCII-armored age file .* not supported/
    )
  })

  test('a header that never ends is refused once it passes 1 MiB', async () => {
    const endless = Buffer.concat([Buffer.from('age-encryption.org/v1\n-> grease\n'), Buffer.alloc(2 << 20, 'A')])
    const result = await decrypt(endless, { identities: [alice] }, 64 * 1024)
    expect(result.error?.message).toBe(
      'age header is invalid: it is larger than 1 MiB without an end (not an age file?)'
    )
  })
})
