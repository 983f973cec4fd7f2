/**
 * Parsing recipients and identity files: one-line AgeErrors that name the bad entry, and never a
 * secret key in a message or in a printed identity.
 */

import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { ageErrorOf } from '../../harness/age.js'
import { encodeBech32 } from '../../../src/age/bech32.js'
import { createEncryptStream, identityToRecipient, parseIdentities, parseRecipients } from '../../../src/age/index.js'

const newSecret = (): string => encodeBech32('AGE-SECRET-KEY-', randomBytes(32))
const newRecipient = (): string => encodeBech32('age', randomBytes(32))

/** True if any 10-character piece of the secret's key part appears in the text. */
function leaks(text: string, secret: string): boolean {
  const keyPart = secret.slice('AGE-SECRET-KEY-1'.length)
  for (let i = 0; i + 10 <= keyPart.length; i++) {
    if (text.toUpperCase().includes(keyPart.slice(i, i + 10))) return true
  }
  return false
}

describe('parseRecipients', () => {
  test('parses age1 recipients (surrounding whitespace ignored) and prints them back', () => {
    const list = [newRecipient(), newRecipient()]
    const parsed = parseRecipients([` ${list[0]}\n`, list[1]!])
    expect(parsed.map(String)).toEqual(list)
    expect(list[0]).toHaveLength(62)
  })

  test('an invalid entry is named by position and shown only as a short prefix', () => {
    const garbage = 'age1notarealrecipientatallbutquitelongactually'
    const e = ageErrorOf(() => parseRecipients([newRecipient(), garbage]))
    expect(e.message).toMatch(
      /^recipient 2 is not a valid age recipient \(expected age1\.\.\., 62 chars\): age1notareal\.\.\. /
    )
    expect(e.message).not.toContain(garbage)
  })

  test('a typo is reported as a bad checksum', () => {
    const good = newRecipient()
    const typo = good.slice(0, 20) + (good[20] === 'q' ? 'p' : 'q') + good.slice(21)
    expect(ageErrorOf(() => parseRecipients([typo])).message).toMatch(
      /^recipient 1 is not a valid age recipient .* has a bad checksum \(typo\?\)$/
    )
  })

  test('a secret key in the recipient list is refused without echoing it', () => {
    const secret = newSecret()
    const e = ageErrorOf(() => parseRecipients([newRecipient(), newRecipient(), secret]))
    expect(e.message).toBe(
      'recipient 3 is an age identity (secret key), not a recipient: pass its public key from `age-keygen -y`'
    )
    expect(leaks(e.message, secret)).toBe(false)
  })

  test('SSH, plugin and post-quantum recipients are unsupported, with a clear message', () => {
    expect(ageErrorOf(() => parseRecipients(['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ user@host'])).message).toMatch(
      /^recipient 1 is an SSH public key \(ssh-ed25519\); SSH recipients are not supported/
    )
    expect(ageErrorOf(() => parseRecipients([newRecipient(), 'ssh-rsa AAAAB3NzaC1yc2E'])).message).toMatch(
      /^recipient 2 is an SSH public key \(ssh-rsa\)/
    )
    const plugin = encodeBech32('age1yubikey', randomBytes(33))
    expect(ageErrorOf(() => parseRecipients([plugin])).message).toMatch(
      /^recipient 1 \(age1yubikey1\.\.\.\) is a plugin or post-quantum recipient/
    )
  })

  test('empty, mixed-case and wrong-length entries', () => {
    expect(ageErrorOf(() => parseRecipients(['  '])).message).toMatch(/^recipient 1 is empty/)
    const good = newRecipient()
    const mixed = good.slice(0, 10) + good.slice(10).toUpperCase()
    expect(ageErrorOf(() => parseRecipients([mixed])).message).toMatch(/mixes upper and lower case$/)
    const short = encodeBech32('age', randomBytes(31))
    expect(ageErrorOf(() => parseRecipients([short])).message).toMatch(/holds 31 bytes instead of 32$/)
  })
})

describe('parseIdentities', () => {
  test('reads age-keygen style files: comments, blank lines, CRLF', () => {
    const [a, b] = [newSecret(), newSecret()]
    const text = `# created: 2024-01-01T00:00:00Z\r\n# public key: age1...\r\n${a}\r\n\r\n   \n${b}\n`
    const identities = parseIdentities(text)
    expect(identities).toHaveLength(2)
    expect(identityToRecipient(identities[0]!)).toMatch(/^age1[02-9ac-hj-np-z]{58}$/)
    expect(identityToRecipient(identities[0]!)).not.toBe(identityToRecipient(identities[1]!))
  })

  test('an identity never shows its secret when printed or serialised', () => {
    const secret = newSecret()
    const [identity] = parseIdentities(secret)
    for (const shown of [
      String(identity),
      JSON.stringify(identity),
      inspect(identity, { showHidden: true, depth: 5 })
    ]) {
      expect(leaks(shown, secret)).toBe(false)
    }
    expect(String(identity)).toBe(`[age identity for ${identityToRecipient(identity!)}]`)
  })

  test('a damaged identity is reported by line number without echoing it', () => {
    const secret = newSecret()
    const typo = secret.slice(0, 30) + (secret[30] === 'Q' ? 'P' : 'Q') + secret.slice(31)
    const e = ageErrorOf(() => parseIdentities(`# key\n${newSecret()}\n${typo}\n`))
    expect(e.message).toBe('identity file line 3 is not a valid age identity: it has a bad checksum (typo?)')
    expect(leaks(e.message, secret)).toBe(false)
  })

  test('recipients, SSH keys, plugin and post-quantum identities, and other text are refused by line', () => {
    expect(ageErrorOf(() => parseIdentities(`\n${newRecipient()}`)).message).toBe(
      'identity file line 2 is a recipient (public key), not an identity; pass the secret key file written by age-keygen'
    )
    expect(
      ageErrorOf(() => parseIdentities('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n')).message
    ).toMatch(/^identity file line 1 is an SSH key; SSH identities are not supported/)
    expect(ageErrorOf(() => parseIdentities('AGE-PLUGIN-YUBIKEY-1QQQQQQ')).message).toMatch(
      /^identity file line 1 is a plugin identity/
    )
    expect(ageErrorOf(() => parseIdentities('AGE-SECRET-KEY-PQ-1QQQQQQ')).message).toMatch(
      /^identity file line 1 is a post-quantum/
    )
    const e = ageErrorOf(() => parseIdentities('hunter2'))
    expect(e.message).toBe(
      'identity file line 1 is not an age identity: expected AGE-SECRET-KEY-1... (as written by age-keygen)'
    )
    expect(e.message).not.toContain('hunter2')
  })

  test('a file with no identities', () => {
    expect(ageErrorOf(() => parseIdentities('# only a comment\n\n')).message).toMatch(
      /^identity file contains no identities/
    )
  })
})

test('a low-order recipient key (all zeros) cannot be encrypted to', () => {
  const [zero] = parseRecipients([encodeBech32('age', Buffer.alloc(32))])
  expect(ageErrorOf(() => createEncryptStream({ recipients: [zero!] })).message).toMatch(
    /^recipient age1q+\w+ is a low-order X25519 point; it cannot receive files/
  )
})
