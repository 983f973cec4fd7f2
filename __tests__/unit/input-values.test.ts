/**
 * The value parsers both input parsers share: each error names the input. Key files through the CLI and the actions
 * (devices, FIFOs, oversized files) are in input-values.key-files.test.ts.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { ConfigurationError } from '../../src/errors.js'
import {
  MAX_PASSPHRASE_FILE_BYTES,
  parseBoolean,
  parseOutputDir,
  parseWholeNumber,
  readKeyFile
} from '../../src/input-values.js'

const dir = mkdtempSync(join(tmpdir(), 'input-values-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('parseBoolean', () => {
  it('reads the YAML-ish spellings, and empty as the fallback', () => {
    expect(['true', ' Yes ', 'ON', '1'].map(v => parseBoolean('verify', v, false))).toEqual([true, true, true, true])
    expect(['false', 'no', 'Off', '0'].map(v => parseBoolean('verify', v, true))).toEqual([false, false, false, false])
    expect(parseBoolean('verify', '  ', true)).toBe(true)
  })

  it('names the input and the value it refused', () => {
    expect(() => parseBoolean('restore-drill', 'maybe', false)).toThrow(
      new ConfigurationError("restore-drill must be true or false, not 'maybe'")
    )
  })
})

describe('parseWholeNumber', () => {
  it('reads whole numbers in range', () => {
    expect(parseWholeNumber('retention-days', ' 7 ', 1, 90)).toBe(7)
    expect(parseWholeNumber('timeout', '0', 0)).toBe(0)
  })

  it('refuses signs, fractions, words and values out of range, saying the range', () => {
    for (const value of ['-1', '1.5', 'ten', '', '91', '1e3']) {
      expect(() => parseWholeNumber('retention-days', value, 1, 90)).toThrow(
        `retention-days must be a whole number from 1 to 90, not '${value}'`
      )
    }
    expect(() => parseWholeNumber('timeout', '99999999999999999999', 1)).toThrow(
      "timeout must be a whole number at least 1, not '99999999999999999999'"
    )
  })
})

describe('parseOutputDir', () => {
  it('resolves an existing writable directory, and empty as RUNNER_TEMP', () => {
    expect(parseOutputDir('output-dir', `${dir}/./`)).toBe(dir)
    const saved = process.env['RUNNER_TEMP']
    process.env['RUNNER_TEMP'] = dir
    try {
      expect(parseOutputDir('output-dir', '')).toBe(dir)
    } finally {
      if (saved === undefined) delete process.env['RUNNER_TEMP']
      else process.env['RUNNER_TEMP'] = saved
    }
  })

  it('says what is wrong with a path that is missing or not a directory', () => {
    expect(() => parseOutputDir('output-dir', join(dir, 'missing'))).toThrow(
      `output-dir: ${join(dir, 'missing')} does not exist; create it or point at an existing directory`
    )
    const file = join(dir, 'a-file')
    writeFileSync(file, '')
    expect(() => parseOutputDir('output-dir', file)).toThrow(`output-dir: ${file} is not a directory`)
  })
})

describe('readKeyFile', () => {
  it('reads a small regular file as UTF-8', () => {
    const file = join(dir, 'identity.txt')
    writeFileSync(file, 'AGE-SECRET-KEY-1…\n')
    expect(readKeyFile('--identity', file, 1 << 20)).toBe('AGE-SECRET-KEY-1…\n')
  })

  it('refuses, naming the label and file: missing, unreadable, too large, not a regular file', () => {
    expect(() => readKeyFile('--identity', join(dir, 'nope'), 100)).toThrow(
      `--identity ${join(dir, 'nope')} does not exist`
    )
    const big = join(dir, 'big.txt')
    writeFileSync(big, 'p'.repeat(MAX_PASSPHRASE_FILE_BYTES + 1))
    expect(() => readKeyFile('--passphrase-file', big, MAX_PASSPHRASE_FILE_BYTES)).toThrow(
      `--passphrase-file ${big} is larger than 64 KiB, more than such a file ever holds`
    )
    expect(() => readKeyFile('key: file', dir, 100)).toThrow(`key: file ${dir} is a directory, not a regular file`)
    expect(() => readKeyFile('key: file', '/dev/null', 100)).toThrow(/is a character device, not a regular file$/)
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked.txt')
      writeFileSync(locked, 'x')
      chmodSync(locked, 0)
      expect(() => readKeyFile('cert: file', locked, 100)).toThrow(`cert: file ${locked} cannot be opened (EACCES)`)
    }
  })
})
