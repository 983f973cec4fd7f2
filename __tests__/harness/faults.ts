/**
 * Helpers for fault tests: wait for a file the action creates (etcdctl's `.part`, the pipeline's `.partial`) so a
 * fault lands in the middle of a phase, and list the processes still running.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms))

/** Polls every 2 ms until `find` returns a value (or throws after timeoutMs). */
export async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    let found: T | undefined
    try {
      found = find()
    } catch {
      found = undefined
    }
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(2)
  }
}

/**
 * Holds a process that streams to the action (etcd sending a snapshot) to the test's pace: stops it with SIGSTOP, then
 * lets it run in short slices (SIGCONT, `sliceMs`, SIGSTOP) until `find` returns a value, and returns with the process
 * still stopped; the caller acts, then resumes or kills it. What is already in flight still arrives while it is
 * stopped, so the condition is checked after each slice has settled. The condition is waited for instead of assumed to
 * come in time, so a loaded machine cannot let the whole transfer pass before the test sees it under way. On a timeout
 * the process is resumed.
 */
export async function throttleUntil<T>(
  what: string,
  signal: (signal: 'SIGSTOP' | 'SIGCONT') => void,
  find: () => T | undefined,
  { sliceMs = 5, settleMs = 20, timeoutMs = 120_000 }: { sliceMs?: number; settleMs?: number; timeoutMs?: number } = {}
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  signal('SIGSTOP')
  for (;;) {
    await sleep(settleMs)
    let found: T | undefined
    try {
      found = find()
    } catch {
      found = undefined
    }
    if (found !== undefined) return found
    if (Date.now() > deadline) {
      signal('SIGCONT')
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    }
    signal('SIGCONT')
    await sleep(sliceMs)
    signal('SIGSTOP')
  }
}

/** Size of a file, or undefined while it does not exist. */
export function sizeOf(file: string): number | undefined {
  try {
    return statSync(file).size
  } catch {
    return undefined
  }
}

/** The action's private dir (`etcd-snapshot-*`) under a RUNNER_TEMP, once it exists. */
export function privateDirIn(runnerTemp: string): string | undefined {
  const name = readdirSync(runnerTemp).find(n => n.startsWith('etcd-snapshot-'))
  return name ? join(runnerTemp, name) : undefined
}

/** The plaintext snapshot the pipeline writes in the private dir while etcd streams it, once it holds `minBytes`. */
export function growingSnapshot(runnerTemp: string, minBytes = 1): { file: string; size: number } | undefined {
  const dir = privateDirIn(runnerTemp)
  if (!dir) return undefined
  const file = join(dir, 'snapshot.db')
  const size = sizeOf(file)
  return size !== undefined && size >= minBytes ? { file, size } : undefined
}

export interface ProcessInfo {
  pid: number
  cmdline: string
}

/** Processes whose command line contains every one of `parts` (read from /proc, like `pgrep -f`). */
export function processesMatching(...parts: string[]): ProcessInfo[] {
  const found: ProcessInfo[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let cmdline: string
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim()
    } catch {
      continue
    }
    if (cmdline && parts.every(p => cmdline.includes(p))) found.push({ pid: Number(entry), cmdline })
  }
  return found
}

/** The pids of a process's direct children (from /proc/<pid>/task/<tid>/children); none once it has exited. */
export function childPids(pid: number): number[] {
  const pids: number[] = []
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
      if (children) pids.push(...children.split(/\s+/).map(Number))
    }
  } catch {
    return [] // exited
  }
  return pids
}

/** The direct children of a process, with their command lines. */
export function childProcesses(pid: number): ProcessInfo[] {
  return childPids(pid).flatMap(child => {
    try {
      return [{ pid: child, cmdline: readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').trim() }]
    } catch {
      return []
    }
  })
}

/** Every regular file under a directory, relative, sorted. */
export function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter(e => e.isFile())
      .map(e => join(e.parentPath, e.name).slice(dir.length + 1))
      .sort()
  } catch {
    return []
  }
}
