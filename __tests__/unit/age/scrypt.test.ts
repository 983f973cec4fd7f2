/** Passphrase stanzas: the work factor rules, the stanza's strict shape, and unwrapping with the right passphrase. */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import {
  checkScryptIsAlone,
  checkWorkFactor,
  findFileKeyWithPassphrase,
  parseScryptStanza,
  SCRYPT_STANZA_TYPE,
  unwrapWithPassphrase,
  wrapWithPassphrase
} from '../../../src/age/scrypt.js'
import type { Stanza } from '../../../src/age/header.js'

describe('checkWorkFactor', () => {
  it('accepts integers from 1 to 30 and names the option otherwise', () => {
    expect(() => checkWorkFactor(1, 'workFactor')).not.toThrow()
    expect(() => checkWorkFactor(30, 'workFactor')).not.toThrow()
    expect(() => checkWorkFactor(31, 'maxWorkFactor')).toThrow(
      'maxWorkFactor must be an integer from 1 to 30 (age uses 18), got 31'
    )
    expect(() => checkWorkFactor(2.5, 'workFactor')).toThrow(/got 2\.5$/)
  })
})

describe('wrapping with a passphrase', () => {
  it('writes a stanza that unwraps with the same passphrase only', async () => {
    const fileKey = randomBytes(16)
    const stanza = await wrapWithPassphrase(fileKey, 'correct horse', 2)
    expect(stanza.type).toBe(SCRYPT_STANZA_TYPE)
    expect(stanza.args[1]).toBe('2')
    const parsed = parseScryptStanza(stanza, 10)
    expect((await unwrapWithPassphrase(parsed, 'correct horse'))?.equals(fileKey)).toBe(true)
    expect(await unwrapWithPassphrase(parsed, 'wrong horse')).toBeUndefined()
    await expect(findFileKeyWithPassphrase([stanza], 'correct horse', 10)).resolves.toEqual(fileKey)
    await expect(findFileKeyWithPassphrase([stanza], 'nope', 10)).rejects.toThrow(
      'wrong passphrase or file is not passphrase-encrypted'
    )
  })
})

describe('parseScryptStanza', () => {
  const salt = randomBytes(16).toString('base64').replace(/=+$/, '')
  const stanza = (args: string[], body = randomBytes(32)): Stanza => ({ type: 'scrypt', args, body })

  it('refuses a work factor above the limit, saying what it would cost', () => {
    expect(() => parseScryptStanza(stanza([salt, '21']), 20)).toThrow(
      /work factor 21 exceeds the limit of 20 \(it would take 2 GiB of memory\)/
    )
    expect(() => parseScryptStanza(stanza([salt, '99999']), 20)).toThrow(/more memory than any machine has/)
  })

  it('refuses a malformed stanza', () => {
    expect(() => parseScryptStanza(stanza([salt]), 20)).toThrow(/has 1 arguments, expected 2/)
    expect(() => parseScryptStanza(stanza(['c2FsdA', '10']), 20)).toThrow(/salt is not 16 bytes/)
    expect(() => parseScryptStanza(stanza([salt, '010']), 20)).toThrow(/without leading zeros/)
    expect(() => parseScryptStanza(stanza([salt, '10'], randomBytes(31)), 20)).toThrow(/body is 31 bytes, expected 32/)
  })
})

describe('checkScryptIsAlone', () => {
  it('refuses an scrypt stanza next to another stanza', () => {
    const other: Stanza = { type: 'X25519', args: ['x'], body: randomBytes(32) }
    const scrypt: Stanza = { type: 'scrypt', args: [], body: randomBytes(32) }
    expect(() => checkScryptIsAlone([scrypt])).not.toThrow()
    expect(() => checkScryptIsAlone([other, other])).not.toThrow()
    expect(() => checkScryptIsAlone([other, scrypt])).toThrow(/must be the only recipient stanza/)
  })

  it('says a file encrypted to public keys needs an identity', async () => {
    const other: Stanza = { type: 'X25519', args: ['x'], body: randomBytes(32) }
    await expect(findFileKeyWithPassphrase([other], 'p', 10)).rejects.toThrow(/decrypt it with an identity/)
  })
})
