/**
 * Interoperability with the real age 1.1.1 CLI: files we write decrypt with `age -d`, files `age -e`
 * writes decrypt with us, for sizes around the 64 KiB STREAM chunk boundaries, several recipients,
 * and passphrases (age reads those from a terminal, so it runs under util-linux `script`).
 */

import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AgeError } from '../../../src/errors.js'
import { identityToRecipient, parseIdentities, parseRecipients, type AgeIdentity } from '../../../src/age/index.js'
import { decrypt, encrypt, run, runWithPassphraseTty } from '../../harness/age.js'

const CHUNK = 64 * 1024
const SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5_000_000 + 123]
/** header + 16-byte nonce + payload + one 16-byte tag per chunk (at least one chunk). */
const payloadOverhead = (size: number): number => 16 + 16 * Math.max(1, Math.ceil(size / CHUNK))

let dir: string
const keys: { file: string; recipient: string; identity: AgeIdentity }[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'age-cli-'))
  for (const name of ['alice', 'bob']) {
    const file = join(dir, `${name}.key`)
    const keygen = await run('age-keygen', ['-o', file])
    expect(keygen.code).toBe(0)
    const recipient = (await run('age-keygen', ['-y', file])).stdout.toString().trim()
    const [identity] = parseIdentities(await readFile(file, 'utf8'))
    keys.push({ file, recipient, identity: identity! })
  }
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

test('identityToRecipient agrees with age-keygen -y, and parsed recipients print back unchanged', () => {
  for (const key of keys) {
    expect(identityToRecipient(key.identity)).toBe(key.recipient)
    expect(parseRecipients([key.recipient])[0]!.toString()).toBe(key.recipient)
  }
})

describe.each(SIZES)('%i bytes', size => {
  const plaintext = randomBytes(size)

  test('our encryption decrypts with age -d', async () => {
    const alice = keys[0]!
    // Odd input piece sizes exercise chunks assembled from several writes.
    const file = await encrypt(plaintext, { recipients: parseRecipients([alice.recipient]) }, 10_007)
    const path = join(dir, `ours-${size}.age`)
    await writeFile(path, file)
    const result = await run('age', ['-d', '-i', alice.file, path])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout.equals(plaintext)).toBe(true)
    const headerLength = file.indexOf('\n', file.indexOf('\n---') + 1) + 1
    expect(file.length - headerLength).toBe(size + payloadOverhead(size))
  })

  test('age -e output decrypts with us', async () => {
    const alice = keys[0]!
    const encrypted = await run('age', ['-e', '-r', alice.recipient], plaintext)
    expect(encrypted.code).toBe(0)
    for (const pieceSize of [encrypted.stdout.length || 1, 65552, 4099]) {
      const result = await decrypt(encrypted.stdout, { identities: [alice.identity] }, pieceSize)
      expect(result.error).toBeUndefined()
      expect(result.plaintext.equals(plaintext)).toBe(true)
    }
  })
})

test('several recipients: each of our recipients can decrypt with age, and we decrypt age files with either key', async () => {
  const [alice, bob] = keys as [(typeof keys)[0], (typeof keys)[0]]
  const plaintext = randomBytes(200_000)
  const file = await encrypt(plaintext, { recipients: parseRecipients([alice.recipient, bob.recipient]) })
  const path = join(dir, 'ours-two.age')
  await writeFile(path, file)
  for (const key of [alice, bob]) {
    const result = await run('age', ['-d', '-i', key.file, path])
    expect(result.code).toBe(0)
    expect(result.stdout.equals(plaintext)).toBe(true)
  }

  const theirs = await run('age', ['-e', '-r', alice.recipient, '-r', bob.recipient], plaintext)
  expect(theirs.code).toBe(0)
  const onlyBob = await decrypt(theirs.stdout, { identities: [bob.identity] })
  expect(onlyBob.error).toBeUndefined()
  expect(onlyBob.plaintext.equals(plaintext)).toBe(true)
  // An identity file holding both keys (with age-keygen's comments) works too.
  const both = parseIdentities((await readFile(bob.file, 'utf8')) + '\n' + (await readFile(alice.file, 'utf8')))
  expect(both).toHaveLength(2)
  const withBoth = await decrypt(theirs.stdout, { identities: both })
  expect(withBoth.plaintext.equals(plaintext)).toBe(true)
})

test("a key that is not a recipient: age refuses our file and we refuse age's, both for the wrong key", async () => {
  const [alice, bob] = keys as [(typeof keys)[0], (typeof keys)[0]]
  const path = join(dir, 'for-alice.age')
  await writeFile(path, await encrypt(Buffer.from('secret'), { recipients: parseRecipients([alice.recipient]) }))
  const ageResult = await run('age', ['-d', '-i', bob.file, path])
  expect(ageResult.code).not.toBe(0)
  expect(ageResult.stderr).toMatch(/no identity matched any of the recipients/)

  const theirs = await run('age', ['-e', '-r', alice.recipient], Buffer.from('secret'))
  const ours = await decrypt(theirs.stdout, { identities: [bob.identity] })
  expect(ours.error).toBeInstanceOf(AgeError)
  expect(ours.error!.message).toBe('no identity matches this file (wrong key?)')
})

describe('passphrases with age -p (driven through a pseudo-terminal)', () => {
  const passphrase = 'correct horse battery staple ✓'
  const plaintext = randomBytes(3 * CHUNK + 7)

  test('age -p output decrypts with us; a wrong passphrase is reported as such', async () => {
    const input = join(dir, 'pw-plain')
    const output = join(dir, 'pw-theirs.age')
    await writeFile(input, plaintext)
    const encrypted = await runWithPassphraseTty(`age -p -o '${output}' '${input}'`, passphrase)
    expect(encrypted.code).toBe(0)
    const file = await readFile(output)
    expect(file.toString('latin1')).toMatch(/^age-encryption\.org\/v1\n-> scrypt \S+ 18\n/)
    const result = await decrypt(file, { passphrase })
    expect(result.error).toBeUndefined()
    expect(result.plaintext.equals(plaintext)).toBe(true)
    const wrong = await decrypt(file, { passphrase: 'correct horse battery stapler' })
    expect(wrong.error).toBeInstanceOf(AgeError)
    expect(wrong.error!.message).toBe('wrong passphrase or file is not passphrase-encrypted')
  })

  test('our passphrase encryption (default work factor 18, and a low one) decrypts with age -d', async () => {
    for (const workFactor of [undefined, 10]) {
      const file = await encrypt(plaintext, workFactor === undefined ? { passphrase } : { passphrase, workFactor })
      expect(file.toString('latin1')).toMatch(
        new RegExp(
          `^age-encryption\\.org/v1\\n-> scrypt [A-Za-z0-9+/]{22} ${workFactor ?? 18}\\n[A-Za-z0-9+/]{43}\\n--- `
        )
      )
      const path = join(dir, `pw-ours-${workFactor ?? 'default'}.age`)
      const out = join(dir, `pw-ours-${workFactor ?? 'default'}.out`)
      await writeFile(path, file)
      const decrypted = await runWithPassphraseTty(`age -d -o '${out}' '${path}'`, passphrase)
      expect(decrypted.code).toBe(0)
      expect((await readFile(out)).equals(plaintext)).toBe(true)
    }
  })
})
