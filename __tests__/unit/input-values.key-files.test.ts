/**
 * Files named for a key: the CLI's --identity and --passphrase-file, the restore action's identity path and the
 * backup action's cacert/cert/key paths. Anything that is not a regular file, or is larger than a key file can be,
 * fails at once with one line naming the flag or input; nothing reads /dev/zero until memory runs out, and nothing
 * waits on a FIFO. The CLI and the restore action run as child processes, so a regression shows as a timeout here
 * instead of a hung or swollen test runner.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, runStep, type ActionRun } from '../harness/action-runner.js'
import { makePki, type Pki } from '../harness/pki.js'

/** A regression reads /dev/zero or blocks on a FIFO: give up on the child long before it fills memory. */
const DEADLINE_MS = 15_000

let dir: string
let fifo: string
let directory: string
let oversizedIdentity: string
let oversizedPassphrase: string
let backupFile: string
let pki: Pki
let recipient: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'key-files-'))
  pki = await makePki(join(dir, 'pki'))
  fifo = join(dir, 'key.fifo')
  execFileSync('mkfifo', [fifo])
  directory = join(dir, 'keys.d')
  mkdirSync(directory)
  const identity = execFileSync('age-keygen', [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  recipient = execFileSync('age-keygen', ['-y'], { input: identity, encoding: 'utf8' }).trim()
  // A real identity, then comments past the cap: refused for its size, not for what it holds.
  oversizedIdentity = join(dir, 'big-key.txt')
  writeFileSync(oversizedIdentity, identity + `# ${'x'.repeat(77)}\n`.repeat((1 << 20) / 80 + 1))
  oversizedPassphrase = join(dir, 'big-passphrase.txt')
  writeFileSync(oversizedPassphrase, 'p'.repeat((64 << 10) + 1))
  backupFile = join(dir, 'nightly.db.zst.age')
  writeFileSync(backupFile, 'age-encryption.org/v1\n')
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Exit {
  code: number | null
  stderr: string
  ms: number
  killed: boolean
}

/** Runs a child, killing it at the deadline (then `killed` is true). */
function runChild(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Exit> {
  const started = Date.now()
  const child = spawn(command, args, { cwd: ROOT, env: env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
  let killed = false
  const timer = setTimeout(() => {
    killed = true
    child.kill('SIGKILL')
  }, DEADLINE_MS)
  return new Promise(resolve =>
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, stderr, ms: Date.now() - started, killed })
    })
  )
}

/** SIGKILLs a process and its descendants, found through /proc (the action's launcher runs the step as a child). */
function killTree(pid: number): void {
  let children: string[] = []
  try {
    children = readdirSync(`/proc/${pid}/task`).flatMap(task =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean)
    )
  } catch {
    // already gone
  }
  for (const child of children) killTree(Number(child))
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // already gone
  }
}

function cli(...args: string[]): Promise<Exit> {
  return runChild(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'bin', 'cli.ts'), ...args])
}

const kinds = (): [string, string, RegExp][] => [
  ['/dev/zero', '/dev/zero', /is a character device, not a regular file/],
  ['/dev/urandom', '/dev/urandom', /is a character device, not a regular file/],
  ['a FIFO', fifo, /is a FIFO \(named pipe\), not a regular file/],
  ['a directory', directory, /is a directory, not a regular file/]
]

describe('etcd-snapshot decrypt', () => {
  test.each([
    ['/dev/zero', 0],
    ['/dev/urandom', 1],
    ['a FIFO', 2],
    ['a directory', 3]
  ])('refuses %s as --identity and as --passphrase-file at once, in one line', async (_what, i) => {
    const [, file, reason] = kinds()[i as number]!
    for (const flag of ['--identity', '--passphrase-file']) {
      const r = await cli('decrypt', backupFile, flag, file, '-o', join(dir, 'out.db'))
      expect(r.killed).toBe(false)
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(
        new RegExp(`^etcd-snapshot decrypt: ${flag} ${file.replace(/[.()]/g, '\\$&')} ${reason.source}\\n$`)
      )
    }
  })

  test('refuses an identity file over 1 MiB and a passphrase file over 64 KiB', async () => {
    const identity = await cli('decrypt', backupFile, '--identity', oversizedIdentity)
    expect(identity.code).toBe(1)
    expect(identity.stderr).toBe(
      `etcd-snapshot decrypt: --identity ${oversizedIdentity} is larger than 1 MiB, more than such a file ever holds\n`
    )
    const passphrase = await cli('decrypt', backupFile, '--passphrase-file', oversizedPassphrase)
    expect(passphrase.code).toBe(1)
    expect(passphrase.stderr).toBe(
      `etcd-snapshot decrypt: --passphrase-file ${oversizedPassphrase} is larger than 64 KiB, more than such a file ever holds\n`
    )
  })

  test('restore refuses /dev/zero as --identity too', async () => {
    const r = await cli('restore', backupFile, '--data-dir', join(dir, 'data'), '--identity', '/dev/zero')
    expect(r.killed).toBe(false)
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('etcd-snapshot restore: --identity /dev/zero is a character device, not a regular file\n')
  })
})

describe('the actions', () => {
  /** Runs a step as a runner would, killed at the deadline (with the child the launcher starts) if it hangs. */
  async function step(name: 'main' | 'restore', inputs: Record<string, string>): Promise<ActionRun> {
    let timer: NodeJS.Timeout | undefined
    const run = await runStep(name, {
      inputs,
      onStart: pid => (timer = setTimeout(() => killTree(pid), DEADLINE_MS))
    })
    clearTimeout(timer)
    return run
  }

  test.each(['/dev/zero', 'fifo', 'directory'])(
    'the restore action refuses %s as the identity path at once',
    async what => {
      const file = what === 'fifo' ? fifo : what === 'directory' ? directory : what
      const r = await step('restore', { 'artifact-name': 'nightly', identity: file })
      expect(r.signal).toBeNull()
      expect(r.code).toBe(1)
      expect(r.error).toMatch(/^identity must be the age secret key .* or the path of a key file on the runner$/)
    }
  )

  test.each([
    ['key', '/dev/zero', /^key: file \/dev\/zero is a character device, not a regular file; give a readable path/],
    ['cacert', 'fifo', /^cacert: file .*key\.fifo is a FIFO \(named pipe\), not a regular file; give a readable path/],
    ['cert', 'directory', /^cert: file .*keys\.d is a directory, not a regular file; give a readable path/],
    ['key', 'oversized', /^key: file .*big-key\.txt is larger than 1 MiB, more than such a file ever holds; give/]
  ])('the backup action refuses %s: %s at once, naming the input', async (input, what, expected) => {
    const file = { fifo, directory, oversized: oversizedIdentity }[what] ?? what
    const good = { cacert: pki.caCert, cert: pki.clientCert, key: pki.clientKey }
    const r = await step('main', { ...good, [input]: file, recipients: recipient, 'output-dir': dir })
    expect(r.signal).toBeNull()
    expect(r.code).toBe(1)
    expect(r.error).toMatch(expected)
  })
})
