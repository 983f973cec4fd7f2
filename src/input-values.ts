import { accessSync, closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs'
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

/** The most of a key, identity, certificate or recipients file that is read: real ones are a few KiB at most. */
export const MAX_KEY_FILE_BYTES = 1 << 20
/** The most of a passphrase file that is read: a passphrase is one line. */
export const MAX_PASSPHRASE_FILE_BYTES = 64 << 10

/**
 * Reads a small file the user named for a key or certificate, as UTF-8. Only a regular file (or a symlink to one) is
 * read: a device such as /dev/zero never ends, and a FIFO or socket can block forever. The file is opened
 * non-blocking, so a FIFO without a writer cannot hang the open, and its type is checked on the open descriptor,
 * so it cannot be swapped after the check. At most `maxBytes` are read. `label` names the flag or input
 * (`--identity`, `key: file`), and starts the error message.
 */
export function readKeyFile(label: string, file: string, maxBytes: number): string {
  const refuse = (reason: string): never => {
    throw new ConfigurationError(`${label} ${file} ${reason}`)
  }
  let fd: number
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code
    return refuse(code === 'ENOENT' ? 'does not exist' : `cannot be opened (${code ?? 'error'})`)
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) refuse(`is ${fileKind(stat)}, not a regular file`)
    const tooLarge = `is larger than ${formatLimit(maxBytes)}, more than such a file ever holds`
    if (stat.size > maxBytes) refuse(tooLarge)
    // Read one byte past the cap, so a file that grew after fstat is refused too.
    const buffer = Buffer.alloc(maxBytes + 1)
    let length = 0
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null)
      if (n === 0) break
      length += n
    }
    if (length > maxBytes) refuse(tooLarge)
    return buffer.toString('utf8', 0, length)
  } catch (e: unknown) {
    if (e instanceof ConfigurationError) throw e
    return refuse(`cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
  } finally {
    closeSync(fd)
  }
}

function fileKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory'
  if (stat.isCharacterDevice()) return 'a character device'
  if (stat.isBlockDevice()) return 'a block device'
  if (stat.isFIFO()) return 'a FIFO (named pipe)'
  if (stat.isSocket()) return 'a socket'
  return 'a special file'
}

function formatLimit(bytes: number): string {
  return bytes % (1 << 20) === 0 ? `${bytes >> 20} MiB` : `${bytes >> 10} KiB`
}
