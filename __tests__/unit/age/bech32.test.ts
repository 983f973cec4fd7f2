/** Bech32 as age uses it: BIP 173 test vectors, case handling, and short reasons that never echo the input. */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import { decodeBech32, encodeBech32 } from '../../../src/age/bech32.js'

describe('decodeBech32', () => {
  it('accepts BIP 173 valid strings', () => {
    expect(decodeBech32('A12UEL5L')).toEqual({ ok: true, hrp: 'a', data: Buffer.alloc(0) })
    const r = decodeBech32('abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw')
    expect(r.ok && r.hrp).toBe('abcdef')
    expect(r.ok && r.data.toString('hex')).toBe('00443214c74254b635cf84653a56d7c675be77df')
  })

  it('refuses BIP 173 invalid strings with a reason', () => {
    const reason = (text: string): string => {
      const r = decodeBech32(text)
      return r.ok ? 'ok' : r.reason
    }
    expect(reason('pzry9x0s0muk')).toBe('has no "1" separator after the prefix')
    expect(reason('1pzry9x0s0muk')).toBe('has no "1" separator after the prefix')
    expect(reason('x1b4n0q5v')).toBe('contains a character outside the Bech32 alphabet')
    expect(reason('li1dgmt3')).toBe('is too short')
    expect(reason('A1G7SGD8')).toBe('has a bad checksum (typo?)')
    expect(reason('a12UEL5L')).toBe('mixes upper and lower case')
    expect(reason('a1 2uel5l')).toBe('contains a character that is not printable ASCII')
  })
})

describe('encodeBech32', () => {
  it('round-trips bytes and keeps an upper-case prefix upper case, as age identities are written', () => {
    const data = randomBytes(32)
    const recipient = encodeBech32('age', data)
    expect(recipient).toMatch(/^age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$/)
    expect(decodeBech32(recipient)).toEqual({ ok: true, hrp: 'age', data })
    const identity = encodeBech32('AGE-SECRET-KEY-', data)
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/)
    expect(decodeBech32(identity)).toEqual({ ok: true, hrp: 'age-secret-key-', data })
  })

  it('detects a single changed character', () => {
    const text = encodeBech32('age', randomBytes(32))
    const i = 10
    const swapped = text.slice(0, i) + (text[i] === 'q' ? 'p' : 'q') + text.slice(i + 1)
    expect(decodeBech32(swapped)).toEqual({ ok: false, reason: 'has a bad checksum (typo?)' })
  })
})
