/** What the decrypt and restore subcommands share: exit codes, flag parsing and reading the age key from files. */
import { statSync } from 'node:fs'
import { MAX_WORK_FACTOR_LIMIT, parseIdentities } from '../age/index.js'
import { AgeError, errorMessage } from '../errors.js'
import { MAX_KEY_FILE_BYTES, MAX_PASSPHRASE_FILE_BYTES, readKeyFile } from '../input-values.js'
import type { UnpackKey } from '../pipeline/unpack.js'

export interface CliIO {
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown }
}

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

/** Wrong arguments: the command prints its usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export interface FlagSpec {
  /** Flags that take a value, by their long name (and `-o`-style aliases mapped to one). */
  values: readonly string[]
  /** Flags without a value. */
  switches: readonly string[]
  /** Short aliases, e.g. { '-o': '--output' }. */
  aliases?: Readonly<Record<string, string>>
  /** Flags that may be given more than once. */
  repeatable?: readonly string[]
}

export interface ParsedArgs {
  positional: string[]
  values: Map<string, string[]>
  switches: Set<string>
}

/** `--flag value`, `--flag=value`, switches, `--` ends the options. Unknown or valueless flags are UsageErrors. */
export function parseArgs(args: readonly string[], spec: FlagSpec): ParsedArgs {
  const out: ParsedArgs = { positional: [], values: new Map(), switches: new Set() }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--') {
      out.positional.push(...args.slice(i + 1))
      break
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.positional.push(arg)
      continue
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    let flag = eq > 0 ? arg.slice(0, eq) : arg
    flag = spec.aliases?.[flag] ?? flag
    if (spec.switches.includes(flag)) {
      if (eq > 0) throw new UsageError(`${flag} takes no value`)
      out.switches.add(flag)
      continue
    }
    if (!spec.values.includes(flag)) throw new UsageError(`unknown option ${arg.slice(0, eq > 0 ? eq : undefined)}`)
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i]
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`)
    const list = out.values.get(flag) ?? []
    if (list.length && !spec.repeatable?.includes(flag)) throw new UsageError(`${flag} given twice`)
    list.push(value)
    out.values.set(flag, list)
  }
  return out
}

/** A file given on the command line must be there and readable; otherwise it is a usage error (exit 2). */
export function requireFile(flag: string, file: string): void {
  try {
    if (!statSync(file).isFile() && !file.startsWith('/dev/')) throw new Error('not a regular file')
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code
    throw new UsageError(
      `${flag} ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${errorMessage(e)})`}`
    )
  }
}

/** The age key from --identity files (one or more) or a --passphrase-file; undefined when neither is given. */
export function loadKey(parsed: ParsedArgs): UnpackKey | undefined {
  const identityFiles = parsed.values.get('--identity') ?? []
  const passphraseFile = parsed.values.get('--passphrase-file')?.[0]
  if (identityFiles.length && passphraseFile) throw new UsageError('give --identity or --passphrase-file, not both')
  const maxWorkFactor = parseMaxWorkFactor(parsed.values.get('--max-work-factor')?.[0], passphraseFile !== undefined)
  if (passphraseFile) {
    // The passphrase is the file's first line, as `age` would take it typed (a trailing newline is not part of it).
    const passphrase = readKeyFile('--passphrase-file', passphraseFile, MAX_PASSPHRASE_FILE_BYTES).replace(/\r?\n$/, '')
    if (!passphrase) throw new AgeError(`--passphrase-file ${passphraseFile} is empty`)
    if (passphrase.includes('\n'))
      throw new AgeError(
        `--passphrase-file ${passphraseFile} holds more than one line; it must hold only the passphrase`
      )
    return maxWorkFactor === undefined ? { passphrase } : { passphrase, maxWorkFactor }
  }
  if (!identityFiles.length) return undefined
  const identities = identityFiles.flatMap(file => {
    const text = readKeyFile('--identity', file, MAX_KEY_FILE_BYTES)
    try {
      return parseIdentities(text)
    } catch (e: unknown) {
      throw new AgeError(`--identity ${file}: ${errorMessage(e)}`)
    }
  })
  return { identities }
}

/** --max-work-factor: a whole number age accepts, and only beside --passphrase-file (identities use no scrypt). */
function parseMaxWorkFactor(value: string | undefined, withPassphrase: boolean): number | undefined {
  if (value === undefined) return undefined
  if (!withPassphrase) throw new UsageError('--max-work-factor applies only with --passphrase-file')
  if (!/^\d{1,2}$/.test(value) || Number(value) < 1 || Number(value) > MAX_WORK_FACTOR_LIMIT) {
    throw new UsageError(`--max-work-factor must be a whole number from 1 to ${MAX_WORK_FACTOR_LIMIT}, not '${value}'`)
  }
  return Number(value)
}

/** The one line an error becomes on stderr. */
/**
 * Reports a failure while reading a command's arguments: a UsageError prints the usage and exits 2, anything else
 * (an unreadable key file, say) is a one-line failure with exit 1.
 */
export function argumentFailure(command: string, usage: string, e: unknown, io: CliIO): number {
  if (!(e instanceof UsageError)) {
    io.stderr.write(failureLine(command, e))
    return EXIT_FAILURE
  }
  io.stderr.write(`etcd-snapshot ${command}: ${e.message}\nusage: ${usage}\n`)
  return EXIT_USAGE
}

export function failureLine(command: string, e: unknown): string {
  return `etcd-snapshot ${command}: ${errorMessage(e).split('\n')[0]}\n`
}

/** Bytes in the unit a person reads at a glance. */
export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  for (; value >= 1024 && unit < units.length - 1; unit++) value /= 1024
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`
}
