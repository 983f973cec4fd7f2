/**
 * What a hostile age file can cost us, and the limits that bound it: the header's size (counted as it is read, so
 * it holds however the bytes arrive), the number of recipient stanzas, and the scrypt work factor of a passphrase
 * file, with the flag and input that raise it. Files come from our own writer (and real age-keygen keys), with
 * headers edited by hand where a test needs what no writer makes.
 */
import { execFileSync } from 'node:child_process'
import { jest } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  DEFAULT_MAX_WORK_FACTOR,
  parseIdentities,
  parseRecipients,
  createEncryptStream,
  type AgeIdentity
} from '../../src/age/index.js'
import { MAX_HEADER_BYTES, MAX_STANZAS } from '../../src/age/header.js'
import { AgeError, ConfigurationError } from '../../src/errors.js'
import { run as cli } from '../../src/cli/index.js'
import { getRestoreInputs } from '../../src/action/restore-inputs.js'
import { actionDefaults, ROOT } from '../harness/action-runner.js'
import { decrypt, encrypt } from '../harness/age.js'
import { startEtcd, stopAll } from '../harness/etcd.js'
import { seedKubernetes } from '../harness/seed.js'
import { saveSnapshot } from '../harness/snapshots.js'

const VERSION = 'age-encryption.org/v1\n'
const MAC_LINE = `--- ${'A'.repeat(43)}\n`
const PAYLOAD = Buffer.alloc(16 + 100)

let dir: string
let identity: AgeIdentity
let recipient: string
let snapshot: Buffer

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'age-limits-'))
  const key = execFileSync('age-keygen', [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  identity = parseIdentities(key)[0]!
  recipient = execFileSync('age-keygen', ['-y'], { input: key, encoding: 'utf8' }).trim()
  const member = await startEtcd()
  await seedKubernetes(member, { objects: 50, seed: 5 })
  await saveSnapshot(member, join(dir, 'snapshot.db'))
  snapshot = execFileSync('cat', [join(dir, 'snapshot.db')])
  await stopAll()
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A well-formed header of exactly `length` bytes: one stanza of a type nobody knows, its body filling the room. */
function headerOfLength(length: number): Buffer {
  // version + "-> junk <pad>\n" + full body lines + "\n" (the short last line) + MAC line
  const fixed = VERSION.length + '-> junk \n'.length + 1 + MAC_LINE.length
  const bodyLines = Math.floor((length - fixed - 1) / 65)
  const pad = length - fixed - bodyLines * 65
  const header = VERSION + `-> junk ${'a'.repeat(pad)}\n` + `${'A'.repeat(64)}\n`.repeat(bodyLines) + '\n' + MAC_LINE
  expect(header.length).toBe(length)
  return Buffer.from(header, 'latin1')
}

function headerWithStanzas(count: number): Buffer {
  return Buffer.from(VERSION + '-> x\n\n'.repeat(count) + MAC_LINE, 'latin1')
}

describe('the header', () => {
  test.each([
    ['one chunk', 64 << 20],
    ['1 MiB chunks', 1 << 20],
    ['64 KiB chunks', 64 << 10],
    ['chunks of 1,000,003 bytes', 1_000_003]
  ])('is read up to exactly 1 MiB and refused past it, in %s', async (_how, pieceSize) => {
    const atLimit = await decrypt(
      Buffer.concat([headerOfLength(MAX_HEADER_BYTES), PAYLOAD]),
      { identities: [identity] },
      pieceSize
    )
    // Parsed: it fails only because no identity matches the made-up stanza.
    expect(atLimit.error?.message).toBe('no identity matches this file (wrong key?)')
    for (const length of [MAX_HEADER_BYTES + 1, 1_990_000]) {
      const over = await decrypt(
        Buffer.concat([headerOfLength(length), PAYLOAD]),
        { identities: [identity] },
        pieceSize
      )
      expect(over.error).toBeInstanceOf(AgeError)
      expect(over.error?.message).toBe(
        'age header is invalid: it is larger than 1 MiB without an end (not an age file?)'
      )
    }
  })

  test(`holds at most ${MAX_STANZAS} recipient stanzas`, async () => {
    expect(MAX_STANZAS).toBe(1024)
    const atLimit = await decrypt(Buffer.concat([headerWithStanzas(MAX_STANZAS), PAYLOAD]), { identities: [identity] })
    expect(atLimit.error?.message).toBe('no identity matches this file (wrong key?)')
    const over = await decrypt(Buffer.concat([headerWithStanzas(MAX_STANZAS + 1), PAYLOAD]), { identities: [identity] })
    expect(over.error?.message).toBe(
      `age header is invalid: line ${2 * MAX_STANZAS + 2} starts recipient stanza ${MAX_STANZAS + 1}; at most ${MAX_STANZAS} are accepted`
    )
    // 330,000 tiny stanzas (2 MB) fail at stanza 1025, at once.
    const started = Date.now()
    const many = await decrypt(Buffer.concat([headerWithStanzas(330_000), PAYLOAD]), { identities: [identity] })
    expect(many.error?.message).toMatch(/at most 1024 are accepted$/)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  test('so no file is written for more recipients than a reader accepts', () => {
    const list = Array.from({ length: MAX_STANZAS + 1 }, () => recipient)
    expect(() => parseRecipients(list)).toThrow(
      new AgeError('1025 recipients are more than the 1024 an age file may have; use fewer recipients')
    )
    const parsed = parseRecipients(list.slice(1))
    expect(() => createEncryptStream({ recipients: [...parsed, parsed[0]!] })).toThrow(/1025 recipients are more than/)
    expect(() => createEncryptStream({ recipients: parsed })).not.toThrow()
  })
})

/** A passphrase file from our writer at `factor`, its header then edited to claim `claimed` (same digit count). */
async function passphraseFile(plaintext: Buffer, factor: number, claimed = factor): Promise<Buffer> {
  const file = await encrypt(plaintext, { passphrase: 'correct horse battery staple', workFactor: factor })
  const text = file.toString('latin1')
  const line = /^-> scrypt (\S+) (\d+)$/m.exec(text)!
  expect(line[2]).toBe(String(factor))
  expect(String(claimed).length).toBe(String(factor).length)
  return Buffer.from(text.replace(line[0], `-> scrypt ${line[1]} ${claimed}`), 'latin1')
}

describe('the scrypt work factor', () => {
  test('defaults to a cap of 20: a file claiming 21 is refused before any scrypt work, naming the flag and the input', async () => {
    expect(DEFAULT_MAX_WORK_FACTOR).toBe(20)
    const file = await passphraseFile(Buffer.from('hello'), 10, 21)
    const started = Date.now()
    const result = await decrypt(file, { passphrase: 'correct horse battery staple' })
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(result.error?.message).toBe(
      "the file's scrypt work factor 21 exceeds the limit of 20 (it would take 2 GiB of memory); only if you trust this file, raise the limit with etcd-snapshot's --max-work-factor or the restore action's max-work-factor input"
    )
    const absurd = await decrypt(await passphraseFile(Buffer.from('hello'), 10, 99), {
      passphrase: 'correct horse battery staple'
    })
    expect(absurd.error?.message).toMatch(
      /work factor 99 exceeds the limit of 20 \(it would take more memory than any machine has\)/
    )
  })

  test('etcd-snapshot decrypt --max-work-factor raises and lowers the cap', async () => {
    const backup = join(dir, 'pass.db.age')
    writeFileSync(backup, await passphraseFile(snapshot, 12))
    const passphrase = join(dir, 'passphrase.txt')
    writeFileSync(passphrase, 'correct horse battery staple\n')
    const io = (): { out: string; err: string; io: Parameters<typeof cli>[1] } => {
      const r = { out: '', err: '', io: undefined as unknown as Parameters<typeof cli>[1] }
      r.io = { stdout: { write: (t: string) => (r.out += t) }, stderr: { write: (t: string) => (r.err += t) } }
      return r
    }
    const low = io()
    const args = ['decrypt', backup, '--passphrase-file', passphrase]
    expect(await cli([...args, '--max-work-factor', '11', '-o', join(dir, 'low.db')], low.io)).toBe(1)
    expect(low.err).toMatch(
      /^etcd-snapshot decrypt: cannot decrypt pass.db.age: the file's scrypt work factor 12 exceeds the limit of 11 .*--max-work-factor/
    )
    const exact = io()
    expect(await cli([...args, '--max-work-factor', '12', '-o', join(dir, 'exact.db')], exact.io)).toBe(0)
    expect(exact.out).toMatch(/valid etcd snapshot/)
    const byDefault = io()
    expect(await cli([...args, '-o', join(dir, 'default.db')], byDefault.io)).toBe(0)

    for (const [extra, expected] of [
      [['--max-work-factor', '31'], /--max-work-factor must be a whole number from 1 to 30, not '31'/],
      [['--max-work-factor', 'x'], /--max-work-factor must be a whole number from 1 to 30, not 'x'/]
    ] as const) {
      const bad = io()
      expect(await cli([...args, ...extra, '-o', join(dir, 'bad.db')], bad.io)).toBe(2)
      expect(bad.err).toMatch(expected)
    }
    const withIdentity = io()
    const keyFile = join(dir, 'key.txt')
    execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' })
    expect(await cli(['decrypt', backup, '--identity', keyFile, '--max-work-factor', '12'], withIdentity.io)).toBe(2)
    expect(withIdentity.err).toMatch(/--max-work-factor applies only with --passphrase-file/)
  })

  test("the restore action's max-work-factor input", () => {
    const set = (inputs: Record<string, string>): void => {
      for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
      const all = {
        ...actionDefaults(join(ROOT, 'restore', 'action.yml')),
        'artifact-name': 'nightly',
        'output-dir': dir,
        ...inputs
      }
      for (const [k, v] of Object.entries(all)) process.env[`INPUT_${k.toUpperCase()}`] = v
    }
    const errorFor = (inputs: Record<string, string>): string => {
      set(inputs)
      try {
        getRestoreInputs()
      } catch (e: unknown) {
        expect(e).toBeInstanceOf(ConfigurationError)
        return (e as Error).message
      }
      throw new Error('expected a ConfigurationError')
    }
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      set({ passphrase: 'correct horse battery staple', 'max-work-factor': '22' })
      expect(getRestoreInputs().key).toEqual({ passphrase: 'correct horse battery staple', maxWorkFactor: 22 })
      set({ passphrase: 'correct horse battery staple' })
      expect(getRestoreInputs().key).toEqual({ passphrase: 'correct horse battery staple' })
      expect(errorFor({ passphrase: 'pw-long-enough', 'max-work-factor': '31' })).toBe(
        "max-work-factor must be a whole number from 1 to 30, not '31'"
      )
      expect(errorFor({ identity: 'AGE-SECRET-KEY-1X', 'max-work-factor': '22' })).toBe(
        'max-work-factor applies only with passphrase; remove it'
      )
    } finally {
      stdout.mockRestore()
      for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
    }
  })
})
