import { accessSync, constants, statSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ConfigurationError } from './errors.js'

/**
 * Value parsers shared by the backup and restore input parsers. Each takes the input's public name so its error
 * says which input is wrong.
 */

/** true/false (and yes/no, on/off, 1/0); empty means the fallback. */
export function parseBoolean(input: string, value: string, fallback: boolean): boolean {
  const text = value.trim().toLowerCase()
  if (!text) return fallback
  if (['true', 'yes', 'on', '1'].includes(text)) return true
  if (['false', 'no', 'off', '0'].includes(text)) return false
  throw new ConfigurationError(`${input} must be true or false, not '${text}'`)
}

export function parseWholeNumber(input: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = value.trim()
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min || Number(text) > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`
    throw new ConfigurationError(`${input} must be a whole number ${range}, not '${text}'`)
  }
  return Number(text)
}

/** An existing, writable directory; empty means RUNNER_TEMP (or the system temp dir outside Actions). */
export function parseOutputDir(input: string, value: string): string {
  const dir = path.resolve(value.trim() || process.env['RUNNER_TEMP'] || os.tmpdir())
  let stat
  try {
    stat = statSync(dir)
  } catch {
    throw new ConfigurationError(`${input}: ${dir} does not exist; create it or point at an existing directory`)
  }
  if (!stat.isDirectory()) throw new ConfigurationError(`${input}: ${dir} is not a directory`)
  try {
    accessSync(dir, constants.W_OK)
  } catch {
    throw new ConfigurationError(`${input}: ${dir} is not writable by this runner`)
  }
  return dir
}
