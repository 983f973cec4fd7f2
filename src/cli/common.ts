/** What the subcommands share: exit codes, argument parsing, usage errors and reading the age key from files. */
import { statSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { MAX_WORK_FACTOR_LIMIT, parseIdentities } from '../age/index.js'
import { AgeError, errorMessage } from '../errors.js'
import { MAX_KEY_FILE_BYTES, MAX_PASSPHRASE_FILE_BYTES, readKeyFile } from '../input-values.js'
import type { UnpackKey } from '../pipeline/unpack.js'
import { printable } from '../verify/printable.js'

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

/** A command's options by long name, as node:util parseArgs takes them (`short` for an alias such as `-o`). */
export type OptionSpec = Readonly<Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>>

export interface ParsedArgs {
  positionals: string[]
  /** The value of a string option, or undefined when it was not given. */
  value(name: string): string | undefined
  /** Every value of a repeatable string option, in order. */
  values(name: string): string[]
  /** Whether a boolean option was given. */
  has(name: string): boolean
}

/**
 * node:util parseArgs over `options`, as strict as its strict mode (an unknown option, a missing value, a value for a
 * switch) and stricter (an empty value, an option given twice that is not repeatable). Its tokens are checked here
 * rather than by `strict: true` so that a mistake gets the one line this CLI has always printed (`unknown option --x`,
 * `--identity needs a value`), which scripts and the docs quote, not node's wording of it.
 */
export function parseCommandArgs(args: readonly string[], options: OptionSpec): ParsedArgs {
  const { positionals, tokens } = parseArgs({
    args: [...args],
    options,
    allowPositionals: true,
    strict: false,
    tokens: true
  })
  const strings = new Map<string, string[]>()
  const switches = new Set<string>()
  for (const token of tokens) {
    if (token.kind !== 'option') continue
    const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined
    if (!spec) throw new UsageError(`unknown option ${token.rawName}`)
    const flag = `--${token.name}`
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${flag} takes no value`)
      switches.add(token.name)
      continue
    }
    if (token.value === undefined || token.value === '') throw new UsageError(`${flag} needs a value`)
    const list = strings.get(token.name) ?? []
    if (list.length && !spec.multiple) throw new UsageError(`${flag} given twice`)
    list.push(token.value)
    strings.set(token.name, list)
  }
  return {
    positionals,
    value: name => strings.get(name)?.[0],
    values: name => strings.get(name) ?? [],
    has: name => switches.has(name)
  }
}

/** The options every command that reads an age key takes. */
export const KEY_OPTIONS = {
  identity: { type: 'string', multiple: true },
  'passphrase-file': { type: 'string' },
  'max-work-factor': { type: 'string' }
} as const

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
  const identityFiles = parsed.values('identity')
  const passphraseFile = parsed.value('passphrase-file')
  if (identityFiles.length && passphraseFile) throw new UsageError('give --identity or --passphrase-file, not both')
  const maxWorkFactor = parseMaxWorkFactor(parsed.value('max-work-factor'), passphraseFile !== undefined)
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

/**
 * Reports a failure while reading a command's arguments: a UsageError prints the usage and exits 2, anything else
 * (an unreadable key file, say) is a one-line failure with exit 1.
 */
export function argumentFailure(command: string, usage: string, e: unknown, io: CliIO): number {
  if (!(e instanceof UsageError)) {
    io.stderr.write(failureLine(command, e))
    return EXIT_FAILURE
  }
  io.stderr.write(`etcd-snapshot ${command}: ${printable(e.message)}\nusage: ${usage}\n`)
  return EXIT_USAGE
}

export function failureLine(command: string, e: unknown): string {
  return `etcd-snapshot ${command}: ${errorMessage(e).split('\n')[0]}\n`
}
