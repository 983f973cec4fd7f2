/** The plaintext copy: a 0600 file created only where nothing is, holding every byte that passes. */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { afterAll, describe, expect, it } from '@jest/globals'
import { OutputError } from '../../../src/errors.js'
import { PlaintextCopy } from '../../../src/pipeline/plaintext.js'

const dir = mkdtempSync(join(tmpdir(), 'plaintext-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('PlaintextCopy', () => {
  it('writes every byte to a new 0600 file and passes them on', async () => {
    const file = join(dir, 'snapshot.db')
    const data = randomBytes(3 << 20)
    const passed: Buffer[] = []
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        passed.push(chunk)
        cb()
      }
    })
    await pipeline(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), await PlaintextCopy.create(file), sink)
    expect(readFileSync(file).equals(data)).toBe(true)
    expect(Buffer.concat(passed).equals(data)).toBe(true)
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('refuses a file that exists, or a link in its place', async () => {
    const existing = join(dir, 'existing.db')
    writeFileSync(existing, 'x')
    await expect(PlaintextCopy.create(existing)).rejects.toThrow(OutputError)
    await expect(PlaintextCopy.create(existing)).rejects.toThrow(
      new RegExp(`^cannot create the plaintext snapshot ${existing}: .*EEXIST`)
    )
    const link = join(dir, 'link.db')
    symlinkSync(join(dir, 'target.db'), link)
    await expect(PlaintextCopy.create(link)).rejects.toThrow(/cannot create the plaintext snapshot/)
    expect(() => statSync(join(dir, 'target.db'))).toThrow()
  })
})
