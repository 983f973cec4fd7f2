/**
 * Interoperability with the independent TypeScript implementation `age-encryption` (typage), used
 * here only as a test peer: X25519 and scrypt files in both directions.
 */

import { randomBytes } from 'node:crypto'
import * as typage from 'age-encryption'
import { AgeError } from '../../../src/errors.js'
import { identityToRecipient, parseIdentities, parseRecipients } from '../../../src/age/index.js'
import { decrypt, encrypt } from '../../harness/age.js'

const CHUNK = 64 * 1024
const SIZES = [0, 1, CHUNK, CHUNK + 1, 2 * CHUNK + 100]
const WORK_FACTOR = 10

describe.each(SIZES)('%i bytes', size => {
  const plaintext = randomBytes(size)

  test('X25519: we encrypt, typage decrypts', async () => {
    const secret = await typage.generateX25519Identity()
    const recipient = await typage.identityToRecipient(secret)
    expect(identityToRecipient(parseIdentities(secret)[0]!)).toBe(recipient)
    const file = await encrypt(plaintext, { recipients: parseRecipients([recipient]) })
    const d = new typage.Decrypter()
    d.addIdentity(secret)
    expect(Buffer.from(await d.decrypt(file)).equals(plaintext)).toBe(true)
  })

  test('X25519: typage encrypts, we decrypt', async () => {
    const secret = await typage.generateX25519Identity()
    const e = new typage.Encrypter()
    e.addRecipient(await typage.identityToRecipient(secret))
    const file = Buffer.from(await e.encrypt(plaintext))
    const result = await decrypt(file, { identities: parseIdentities(secret) }, 9_973)
    expect(result.error).toBeUndefined()
    expect(result.plaintext.equals(plaintext)).toBe(true)
  })

  test('scrypt: we encrypt, typage decrypts', async () => {
    const file = await encrypt(plaintext, { passphrase: 'typage peer', workFactor: WORK_FACTOR })
    const d = new typage.Decrypter()
    d.addPassphrase('typage peer')
    expect(Buffer.from(await d.decrypt(file)).equals(plaintext)).toBe(true)
  })

  test('scrypt: typage encrypts, we decrypt (and reject a wrong passphrase)', async () => {
    const e = new typage.Encrypter()
    e.setScryptWorkFactor(WORK_FACTOR)
    e.setPassphrase('typage peer')
    const file = Buffer.from(await e.encrypt(plaintext))
    const result = await decrypt(file, { passphrase: 'typage peer' })
    expect(result.error).toBeUndefined()
    expect(result.plaintext.equals(plaintext)).toBe(true)
    const wrong = await decrypt(file, { passphrase: 'typage pear' })
    expect(wrong.error).toBeInstanceOf(AgeError)
    expect(wrong.error!.message).toBe('wrong passphrase or file is not passphrase-encrypted')
  })
})

test('typage rejects our file for a different key, as we reject its', async () => {
  const [mine, other] = [await typage.generateX25519Identity(), await typage.generateX25519Identity()]
  const file = await encrypt(Buffer.from('x'), {
    recipients: parseRecipients([await typage.identityToRecipient(mine)])
  })
  const d = new typage.Decrypter()
  d.addIdentity(other)
  await expect(d.decrypt(file)).rejects.toThrow()

  const e = new typage.Encrypter()
  e.addRecipient(await typage.identityToRecipient(mine))
  const theirs = await decrypt(Buffer.from(await e.encrypt('x')), { identities: parseIdentities(other) })
  expect(theirs.error?.message).toBe('no identity matches this file (wrong key?)')
})

test('post-quantum recipients from typage are rejected with a clear message', async () => {
  const hybrid = await typage.identityToRecipient(await typage.generateHybridIdentity())
  expect(hybrid.startsWith('age1pq1')).toBe(true)
  expect(() => parseRecipients([hybrid])).toThrow(
    /^recipient 1 \(age1pq1\.\.\.\) is a plugin or post-quantum recipient, which is not supported/
  )
})
