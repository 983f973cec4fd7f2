/**
 * The `etcd-snapshot` command line: tools for the day a backup is needed. Each subcommand is a function from its
 * arguments to an exit code; `run` dispatches and never throws.
 *
 * Exit codes: 0 success (a valid snapshot), 1 the snapshot is invalid, 2 usage error or a file that cannot be read.
 */
import { decryptCommand } from './decrypt.js'
import { restoreCommand } from './restore.js'
import {
  argumentFailure,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  parseCommandArgs,
  UsageError,
  type CliIO
} from './common.js'
import { errorMessage } from '../errors.js'
import { SnapshotReadError, verifySnapshot, type SnapshotReport } from '../verify/index.js'
import { printable, quoted, terminalJson } from '../verify/printable.js'

export type { CliIO } from './common.js'
/** verify exits 1 when the snapshot is invalid, the code every command uses for a failure. */
const EXIT_INVALID = EXIT_FAILURE

interface Command {
  summary: string
  usage: string
  run(args: string[], io: CliIO): Promise<number>
}

const COMMANDS: Record<string, Command> = {
  verify: {
    summary: 'check an etcd snapshot file (structure, schema, sha256 trailer) and summarise what it holds',
    usage: [
      'etcd-snapshot verify <snapshot.db> [--json] [--min-keys N] [--required-key PREFIX]... [--skip-hash-check]',
      '',
      '  --json              print the full report as JSON (valid, errors, status, liveKeys, sha256, kubernetes, ...)',
      '  --min-keys N        invalid when the snapshot has fewer than N live keys',
      '  --required-key P    invalid when no live key starts with P (repeatable)',
      "  --skip-hash-check   accept a file without etcd's sha256 trailer (a copy of a member's member/snap/db);",
      '                      its structure is still checked. A trailer that is there is checked all the same.',
      '',
      'Exit status: 0 valid, 1 invalid (the first line says what is wrong and where), 2 usage error or unreadable file.'
    ].join('\n'),
    run: verifyCommand
  },
  decrypt: decryptCommand,
  restore: restoreCommand
}

function usage(): string {
  const lines = ['usage: etcd-snapshot <command> [arguments]', '', 'commands:']
  for (const [name, cmd] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${cmd.summary}`)
  lines.push('', "Run 'etcd-snapshot <command> --help' for a command's options.")
  return lines.join('\n') + '\n'
}

const defaultIO: CliIO = { stdout: process.stdout, stderr: process.stderr }

/** Run the CLI with argv (without node and script); resolves to the exit code. */
export async function run(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === '') {
    io.stderr.write(usage())
    return EXIT_USAGE
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage())
    return EXIT_OK
  }
  const cmd = COMMANDS[name]
  if (!cmd) {
    io.stderr.write(`etcd-snapshot: unknown command ${quoted(name)}\n${usage()}`)
    return EXIT_USAGE
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`usage: ${cmd.usage}\n`)
    return EXIT_OK
  }
  try {
    return await cmd.run(args, io)
  } catch (e: unknown) {
    io.stderr.write(`etcd-snapshot ${name}: ${printable(errorMessage(e))}\n`)
    return EXIT_INVALID
  }
}

interface VerifyArgs {
  file: string
  json: boolean
  minKeys?: number
  requiredKeys: string[]
  skipHashCheck: boolean
}

function parseVerifyArgs(args: string[]): VerifyArgs {
  const parsed = parseCommandArgs(args, {
    json: { type: 'boolean' },
    'min-keys': { type: 'string' },
    'required-key': { type: 'string', multiple: true },
    'skip-hash-check': { type: 'boolean' }
  })
  const minKeys = parsed.value('min-keys')
  if (minKeys !== undefined && !/^\d+$/.test(minKeys))
    throw new UsageError(`--min-keys must be a whole number, got ${JSON.stringify(minKeys)}`)
  const files = parsed.positionals
  if (files.length !== 1)
    throw new UsageError(
      files.length === 0 ? 'missing the snapshot file' : `expected one snapshot file, got ${files.length}`
    )
  return {
    file: files[0]!,
    json: parsed.has('json'),
    minKeys: minKeys === undefined ? undefined : Number(minKeys),
    requiredKeys: parsed.values('required-key'),
    skipHashCheck: parsed.has('skip-hash-check')
  }
}

async function verifyCommand(args: string[], io: CliIO): Promise<number> {
  let parsed: VerifyArgs
  try {
    parsed = parseVerifyArgs(args)
  } catch (e: unknown) {
    if (!(e instanceof UsageError)) throw e
    return argumentFailure('verify', COMMANDS.verify!.usage, e, io)
  }
  let report: SnapshotReport
  try {
    report = await verifySnapshot(parsed.file, {
      minKeys: parsed.minKeys,
      requiredKeys: parsed.requiredKeys,
      skipHashCheck: parsed.skipHashCheck
    })
  } catch (e: unknown) {
    if (!(e instanceof SnapshotReadError)) throw e
    io.stderr.write(`etcd-snapshot verify: ${printable(e.message)}\n`)
    return EXIT_USAGE
  }
  if (parsed.json) io.stdout.write(terminalJson(report) + '\n')
  else io.stdout.write(describeReport(report))
  return report.valid ? EXIT_OK : EXIT_INVALID
}

/** Human-readable report; the first line is the verdict (and for an invalid snapshot, what and where). */
export function describeReport(r: SnapshotReport): string {
  const lines: string[] = []
  if (!r.valid) {
    lines.push(`invalid snapshot ${r.path}: ${r.errors[0]}`)
    for (const e of r.errors.slice(1)) lines.push(`  also: ${e}`)
    for (const w of r.warnings) lines.push(`  warning: ${w}`)
    return lines.map(printable).join('\n') + '\n'
  }
  const s = r.status
  const compacted = r.compactRevision >= 0 ? `, compacted at ${r.compactRevision}` : ''
  lines.push(r.sha256 ? `valid etcd snapshot ${r.path}` : `valid etcd database ${r.path} (no sha256 trailer)`)
  lines.push(`  revision ${s.revision}${compacted}; ${r.liveKeys} live keys, ${r.keyRevisions} key revisions`)
  lines.push(
    `  status: hash ${s.hash}, totalKey ${s.totalKey}, totalSize ${s.totalSize} (as etcdctl 3.4 snapshot status); live keys ${r.liveKeys} (etcdutl 3.6 totalKey)`
  )
  if (r.hashKV)
    lines.push(
      `  hashkv: ${r.hashKV.hash} at revision ${r.hashKV.revision} (compact revision ${r.hashKV.compactRevision})`
    )
  lines.push(`  sha256 trailer: ${r.sha256 || "none (a copy of a member's database)"}`)
  const k = r.kubernetes
  if (k.objects > 0) {
    const top = Object.entries(k.resources)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ')
    lines.push(
      `  kubernetes: ${k.objects} objects in ${Object.keys(k.resources).length} resources (${top}); ${k.namespaceCount} namespaces`
    )
    lines.push(
      `  secrets: ${k.secrets.total} (${k.secrets.encrypted} encrypted at rest, ${k.secrets.plaintext} plain text)`
    )
  }
  for (const req of r.requiredKeys) lines.push(`  required ${quoted(req.prefix)}: ${req.liveKeys} live keys`)
  for (const w of r.warnings) lines.push(`warning: ${w}`)
  // Paths, resource names and keys come from the file and the user: nothing in them may act on the terminal.
  return lines.map(printable).join('\n') + '\n'
}
