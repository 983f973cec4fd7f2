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
  /** Variables added to a copy of this process's environment (credentials travel here, never on argv). */
  env?: Record<string, string | undefined>
  /** Environment variable names (or prefixes ending in `*`) removed from the inherited environment. */
  dropEnv?: string[]
  /** Kill the whole process group after this long. */
  timeoutMs?: number
}

/** Children still running, so a cancelled job can take them down with it (see killRunningTools). */
const running = new Set<ChildProcess>()

/**
 * Runs a tool in its own process group and collects its output. On timeout the whole group is killed, so nothing
 * the tool started outlives it.
 */
export async function runTool(binary: string, args: string[], options: RunOptions = {}): Promise<ToolResult> {
  const env: Record<string, string | undefined> = { ...process.env }
  for (const name of options.dropEnv ?? []) {
    if (name.endsWith('*')) {
      for (const key of Object.keys(env)) if (key.startsWith(name.slice(0, -1))) delete env[key]
    } else delete env[name]
  }
  Object.assign(env, options.env)

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
