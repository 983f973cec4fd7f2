import { spawn, type ChildProcess } from 'node:child_process'

export interface ToolResult {
  stdout: string
  stderr: string
  /** Exit code, or null when the process died by a signal. */
  code: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
}

export interface RunOptions {
  /** Variables added to the child's environment (see childEnv; credentials travel here, never on argv). */
  env?: Record<string, string | undefined>
  /** Variable names (or prefixes ending in `*`) kept out of what childEnv passes through. */
  dropEnv?: string[]
  /** Kill the whole process group after this long. */
  timeoutMs?: number
}

/**
 * What a child may inherit from this process: where to find programs, a home and a temp dir, the locale, the CA
 * bundle Go reads for system roots, and the Go runtime's limits a runner's admin may set (a container's CPUs and
 * memory). Nothing else: the runner's environment holds every input (INPUT_PASSWORD, INPUT_KEY, INPUT_PASSPHRASE,
 * INPUT_IDENTITY) and the runtime tokens, and an etcd tool reads ETCD_*, ETCDCTL_* and HTTPS_PROXY as its own
 * settings.
 */
const INHERITED = [
  'PATH',
  'HOME',
  'TMPDIR',
  'TZ',
  'LANG',
  'LC_*',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'GOMAXPROCS',
  'GOMEMLIMIT',
  'GODEBUG'
]

/**
 * The environment of every child this action starts: the allow-listed part of ours, minus `drop`, plus `extra`
 * (which the caller chose, so it may name anything, ETCDCTL_* credentials included).
 */
export function childEnv(extra: Record<string, string | undefined> = {}, drop: string[] = []): Record<string, string> {
  const matches = (key: string, pattern: string): boolean =>
    pattern.endsWith('*') ? key.startsWith(pattern.slice(0, -1)) : key === pattern
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue
    if (INHERITED.some(p => matches(key, p)) && !drop.some(p => matches(key, p))) env[key] = value
  }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value
  return env
}

/** Children still running, so a cancelled job can take them down with it (see killRunningTools). */
const running = new Set<ChildProcess>()

/**
 * Runs a tool in its own process group and collects its output. On timeout the whole group is killed, so nothing
 * the tool started outlives it.
 */
export async function runTool(binary: string, args: string[], options: RunOptions = {}): Promise<ToolResult> {
  const env = childEnv(options.env, options.dropEnv)
  return await new Promise<ToolResult>((resolve, reject) => {
    const child = spawn(binary, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    running.add(child)
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    let timedOut = false
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true
            killGroup(child, 'SIGKILL')
          }, options.timeoutMs)
    child.stdout.on('data', (b: Buffer) => stdout.push(b))
    child.stderr.on('data', (b: Buffer) => stderr.push(b))
    child.on('error', err => {
      clearTimeout(timer)
      running.delete(child)
      reject(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      running.delete(child)
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        code,
        signal,
        timedOut
      })
    })
  })
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // The group is already gone.
  }
}

/** Kills every tool still running (used when the job is cancelled). */
export function killRunningTools(): void {
  for (const child of running) killGroup(child, 'SIGKILL')
}
