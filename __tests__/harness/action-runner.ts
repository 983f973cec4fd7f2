/**
 * Runs the action the way a GitHub runner does: a child process with INPUT_* variables (action.yml defaults filled
 * in for inputs not given), GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files, then the post step with the
 * saved state as STATE_* variables. Works on the bundled dist/ or on the TypeScript sources (through tsx).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export interface ActionRun {
  code: number | null
  signal: NodeJS.Signals | null
  /** Everything the process printed, stdout and stderr interleaved as received. */
  log: string
  outputs: Record<string, string>
  state: Record<string, string>
  summary: string
  /** The one-line failure, from the ::error:: command setFailed prints. */
  error?: string
}

export interface RunActionOptions {
  /** Input values by their action.yml names; missing inputs get the action.yml default, as on a runner. */
  inputs?: Record<string, string>
  env?: Record<string, string | undefined>
  /** 'dist' runs dist/<step>/index.js with node; 'src' runs src/bin/<step>.ts with tsx. */
  from?: 'dist' | 'src'
  /** With from 'dist': another build's dist/ (the benchmark's baseline), instead of this checkout's. */
  distDir?: string
  /** Directory for RUNNER_TEMP and the command files; a fresh one when absent. */
  runnerTemp?: string
  /** Called with the child once it starts (to signal it, say). */
  onStart?: (pid: number) => void
  actionYml?: string
}

interface ActionYml {
  inputs?: Record<string, { default?: string }>
}

export function actionDefaults(actionYml = join(ROOT, 'action.yml')): Record<string, string> {
  const spec = parse(readFileSync(actionYml, 'utf8')) as ActionYml
  return Object.fromEntries(Object.entries(spec.inputs ?? {}).map(([k, v]) => [k, String(v.default ?? '')]))
}

/** Parses the runner's key=value / heredoc command file format that @actions/core writes. */
export function parseCommandFile(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const heredoc = /^([^<=]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string]
      const body: string[] = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i] as string)
      result[name] = body.join('\n')
    } else if (line.includes('=')) {
      result[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
    }
  }
  return result
}

export async function runStep(
  step: 'main' | 'post' | 'restore' | 'restore-post',
  options: RunActionOptions = {},
  state: Record<string, string> = {}
): Promise<ActionRun> {
  const runnerTemp = options.runnerTemp ?? mkdtempSync(join(tmpdir(), 'runner-'))
  const files = {
    output: join(runnerTemp, `output-${step}`),
    state: join(runnerTemp, `state-${step}`),
    summary: join(runnerTemp, `summary-${step}`)
  }
  for (const f of Object.values(files)) writeFileSync(f, '')
  const inputs = { ...actionDefaults(options.actionYml), ...options.inputs }
  const env: Record<string, string | undefined> = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    RUNNER_TEMP: runnerTemp,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ACTIONS: 'true',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v])),
    ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])),
    ...options.env
  }
  const from = options.from ?? 'src'
  const [command, args] =
    from === 'dist'
      ? [process.execPath, [join(options.distDir ?? join(ROOT, 'dist'), step, 'index.js')]]
      : [process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'bin', `${step}.ts`)]]

  const child = spawn(command, args, { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  if (child.pid !== undefined) options.onStart?.(child.pid)
  let log = ''
  child.stdout.on('data', (b: Buffer) => (log += b.toString()))
  child.stderr.on('data', (b: Buffer) => (log += b.toString()))
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(res =>
    child.on('close', (c, s) => res([c, s]))
  )
  const errorLine = /^::error::(.*)$/m.exec(log)
  return {
    code,
    signal,
    log,
    outputs: parseCommandFile(readFileSync(files.output, 'utf8')),
    state: parseCommandFile(readFileSync(files.state, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    error: errorLine ? decodeCommandValue(errorLine[1] as string) : undefined
  }
}

/** Runs main, then post with main's state, like a runner does for a job with this one step. */
export async function runAction(options: RunActionOptions = {}): Promise<{ main: ActionRun; post: ActionRun }> {
  const runnerTemp = options.runnerTemp ?? mkdtempSync(join(tmpdir(), 'runner-'))
  const main = await runStep('main', { ...options, runnerTemp })
  const post = await runStep('post', { ...options, runnerTemp, onStart: undefined }, main.state)
  return { main, post }
}

/** Undoes the escaping of workflow command values (%25, %0D, %0A). */
function decodeCommandValue(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}
