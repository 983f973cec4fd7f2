/** What a child may inherit, and running a tool in its own process group with a deadline. */
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from '@jest/globals'
import { childEnv, killRunningTools, runTool } from '../../../src/etcd/process.js'

const saved = { ...process.env }
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
  Object.assign(process.env, saved)
})

/** Whether a process with this pid is running (a zombie waiting to be reaped is not). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

describe('childEnv', () => {
  it('passes the allow-listed variables only, never inputs, tokens or etcd settings', () => {
    Object.assign(process.env, {
      LC_ALL: 'C.UTF-8',
      GOMEMLIMIT: '1GiB',
      INPUT_PASSWORD: 'secret',
      ACTIONS_RUNTIME_TOKEN: 'token',
      ETCDCTL_ENDPOINTS: 'https://evil:2379',
      HTTPS_PROXY: 'http://proxy:3128'
    })
    const env = childEnv()
    expect(env['PATH']).toBe(process.env['PATH'])
    expect(env['LC_ALL']).toBe('C.UTF-8')
    expect(env['GOMEMLIMIT']).toBe('1GiB')
    for (const name of ['INPUT_PASSWORD', 'ACTIONS_RUNTIME_TOKEN', 'ETCDCTL_ENDPOINTS', 'HTTPS_PROXY'])
      expect(env[name]).toBeUndefined()
  })

  it('adds what the caller chose and drops what it names, prefixes too', () => {
    process.env['LC_CTYPE'] = 'C'
    process.env['TZ'] = 'UTC'
    const env = childEnv({ ETCDCTL_API: '3', SKIPPED: undefined }, ['LC_*', 'TZ'])
    expect(env['ETCDCTL_API']).toBe('3')
    expect('SKIPPED' in env).toBe(false)
    expect(env['LC_CTYPE']).toBeUndefined()
    expect(env['TZ']).toBeUndefined()
  })
})

describe('runTool', () => {
  it('collects stdout, stderr and the exit code, with the environment it was given', async () => {
    process.env['INPUT_KEY'] = 'do-not-pass'
    const r = await runTool('sh', ['-c', 'echo "out $FOO ${INPUT_KEY:-unset}"; echo err >&2; exit 3'], {
      env: { FOO: 'bar' }
    })
    expect(r).toEqual({ stdout: 'out bar unset\n', stderr: 'err\n', code: 3, signal: null, timedOut: false })
  })

  it('kills the whole process group at the deadline, grandchildren included', async () => {
    const started = Date.now()
    const r = await runTool('sh', ['-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 300 })
    // A grandchild left alive would hold the output pipes open, and the result would wait for it.
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(r.timedOut).toBe(true)
    expect(r.signal).toBe('SIGKILL')
    const grandchild = Number(r.stdout.trim())
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(alive(grandchild)).toBe(false)
  })

  it('rejects when the binary cannot be started', async () => {
    await expect(runTool('/nonexistent/etcdctl', ['version'])).rejects.toThrow(/ENOENT/)
  })
})

describe('killRunningTools', () => {
  it('takes down every tool still running', async () => {
    const started = Date.now()
    const pending = runTool('sleep', ['30'])
    await new Promise(resolve => setTimeout(resolve, 100))
    killRunningTools()
    const r = await pending
    expect(r.signal).toBe('SIGKILL')
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})
