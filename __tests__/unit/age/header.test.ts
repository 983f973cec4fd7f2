/** The age header: encoding, the incremental strict parser, and the MAC that binds it to the file key. */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { AgeError } from '../../../src/errors.js'
import { encodeHeader, HeaderReader, verifyHeaderMac, VERSION_LINE, type Stanza } from '../../../src/age/header.js'

const stanzas: Stanza[] = [
  { type: 'X25519', args: ['abc'], body: randomBytes(32) },
  { type: 'test', args: [], body: randomBytes(48) }
]

describe('encodeHeader', () => {
  it('writes the version line, stanzas with 64-column bodies ending in a short line, and the MAC line', () => {
    const text = encodeHeader(stanzas, randomBytes(16)).toString('latin1')
    const lines = text.split('\n')
    expect(lines[0]).toBe(VERSION_LINE)
    expect(lines[1]).toBe('-> X25519 abc')
    expect(lines[2]!.length).toBe(43)
    expect(lines[3]).toBe('-> test')
    expect(lines[4]!.length).toBe(64)
    expect(lines[5]).toBe('')
    expect(lines[6]).toMatch(/^--- [A-Za-z0-9+/]{43}$/)
    expect(lines[7]).toBe('')
  })
})

describe('HeaderReader', () => {
  it('parses a header fed a byte at a time and returns what follows it', () => {
    const fileKey = randomBytes(16)
    const file = Buffer.concat([encodeHeader(stanzas, fileKey), Buffer.from('payload')])
    const reader = new HeaderReader()
    let result: ReturnType<HeaderReader['push']>
    let i = 0
    while (!(result = reader.push(file.subarray(i, i + 1)))) i++
    expect(result.header.stanzas.map(s => [s.type, [...s.args], s.body])).toEqual(
      stanzas.map(s => [s.type, [...s.args], s.body])
    )
    expect(Buffer.concat([result.rest, file.subarray(i + 1)]).toString()).toBe('payload')
    expect(() => verifyHeaderMac(result!.header, fileKey)).not.toThrow()
    expect(() => verifyHeaderMac(result!.header, randomBytes(16))).toThrow(/header MAC check failed/)
  })

  it('refuses what is not an age header, at once', () => {
    const push = (text: string): unknown => new HeaderReader().push(Buffer.from(text))
    expect(() => push('hello world\n')).toThrow(/^not an age file: it does not start with "age-encryption.org\/v1"$/)
    expect(() => push('-----BEGIN AGE ENCRYPTED FILE-----\n')).toThrow(/ASCII-armored age file/)
    expect(() => push('age-encryption.org/v2\n')).toThrow(/unsupported age format version "age-encryption.org\/v2"/)
    expect(() => push('age-encryption.org/v1\r\n')).toThrow(AgeError)
  })

  it('says an empty or truncated input is incomplete', () => {
    expect(new HeaderReader().incompleteError().message).toBe('not an age file: it is empty')
    const reader = new HeaderReader()
    expect(reader.push(Buffer.from(`${VERSION_LINE}\n-> X25519 abc\n`))).toBeUndefined()
    expect(reader.incompleteError().message).toMatch(/file ends inside the header/)
  })

  it('refuses a tampered MAC line', () => {
    const fileKey = randomBytes(16)
    const text = encodeHeader(stanzas, fileKey).toString('latin1')
    const changed = text.replace(/--- (.)/, (_, c: string) => `--- ${c === 'A' ? 'B' : 'A'}`)
    const parsed = new HeaderReader().push(Buffer.from(changed, 'latin1'))
    expect(() => verifyHeaderMac(parsed!.header, fileKey)).toThrow(/header MAC check failed/)
  })
})
