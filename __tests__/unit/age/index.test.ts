/**
 * Validating stream options: one-line AgeErrors that say which of recipients, identities or a
 * passphrase to pass.
 */

import { randomBytes } from 'node:crypto'
import { encodeBech32 } from '../../../src/age/bech32.js'
import {
  createDecryptStream,
  createEncryptStream,
  X25519Identity,
  type EncryptOptions
} from '../../../src/age/index.js'
import { ageErrorOf } from '../../harness/age.js'

const newRecipient = (): string => encodeBech32('age', randomBytes(32))

describe('stream options', () => {
  const recipient = new X25519Identity(randomBytes(32)).recipient

  test('encryption needs exactly one of: recipients, a passphrase', () => {
    expect(ageErrorOf(() => createEncryptStream({ recipients: [] })).message).toMatch(/^no age recipients given/)
    expect(ageErrorOf(() => createEncryptStream({ passphrase: '' })).message).toMatch(/^the age passphrase is empty/)
    const both = { recipients: [recipient], passphrase: 'x' } as EncryptOptions
    expect(ageErrorOf(() => createEncryptStream(both)).message).toMatch(
      /^pass either age recipients or a passphrase, not both/
    )
    const strings = { recipients: [newRecipient()] } as unknown as EncryptOptions
    expect(ageErrorOf(() => createEncryptStream(strings)).message).toMatch(
      /^recipient 1 is not a parsed age recipient; use parseRecipients/
    )
  })

  test('work factors must be integers age can use', () => {
    for (const workFactor of [0, 31, 1.5, Number.NaN]) {
      expect(ageErrorOf(() => createEncryptStream({ passphrase: 'x', workFactor })).message).toMatch(
        /^workFactor must be an integer from 1 to 30/
      )
      expect(ageErrorOf(() => createDecryptStream({ passphrase: 'x', maxWorkFactor: workFactor })).message).toMatch(
        /^maxWorkFactor must be an integer/
      )
    }
  })

  test('decryption needs identities or a passphrase', () => {
    expect(ageErrorOf(() => createDecryptStream({ identities: [] })).message).toMatch(/^no age identities given/)
    expect(ageErrorOf(() => createDecryptStream({ passphrase: '' })).message).toMatch(/^the age passphrase is empty/)
  })
})
