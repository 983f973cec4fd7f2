/**
 * The secret scan: every secret a test file uses (private key PEMs and each of their base64 lines, etcd passwords,
 * age passphrases and identities) is registered here, and every captured log, output, job summary, state value,
 * manifest and error message of the action is searched for each of them.
 *
 * `::add-mask::` lines are left out of the search: the runner consumes those commands and never shows them; they are
 * how the secret gets masked in the first place. Secrets shorter than 8 characters (a 2-character etcd password) are
 * matched as whole tokens only: as plain substrings they occur by chance in any log.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { ActionRun } from './action-runner.js'
import type { Pki, PkiFile } from './pki.js'

export interface Leak {
  /** Which secret (its label, never its value). */
  secret: string
  /** Where it was found: "main log", "post outputs.snapshot-file", "manifest.json"... */
  where: string
  /** The line it was found on, with the secret replaced by [SECRET], so the failure message leaks nothing either. */
  line: string
}

const SHORT = 8

/** The private-key files of a test PKI. */
const PKI_KEYS: PkiFile[] = ['caKey', 'serverKey', 'peerKey', 'clientKey', 'gatewayClientKey', 'otherClientKey']

export class SecretScan {
  private readonly secrets = new Map<string, string>()

  /** Registers one secret value under a label (the label is what a failure names). */
  add(label: string, value: string | undefined): this {
    const text = value?.trim()
    if (text) this.secrets.set(text, label)
    return this
  }

  /** A PEM private key: the whole text and each base64 line of it (the runner masks line by line). */
  addPem(label: string, pem: string): this {
    this.add(label, pem)
    pem
      .split(/\r?\n/)
      .map(l => l.trim())
      .filter(l => l.length >= 16 && !l.startsWith('-----'))
      .forEach((line, i) => this.add(`${label} line ${i + 1}`, line))
    return this
  }

  /** Every private key of a test PKI. */
  addPki(pki: Pki): this {
    for (const name of PKI_KEYS) this.addPem(`pki ${name}`, pki.pem(name))
    return this
  }

  /** Every AGE-SECRET-KEY-1… in an age identity file (or in text). */
  addAgeIdentities(label: string, fileOrText: string): this {
    const text = existsSync(fileOrText) ? readFileSync(fileOrText, 'utf8') : fileOrText
    for (const m of text.matchAll(/AGE-SECRET-KEY-1[0-9A-Z]+/g)) this.add(label, m[0])
    return this
  }

  /** The secret-bearing inputs of one run: password, passphrase, and any PEM private key or age identity given as text. */
  addSecretInputs(inputs: Record<string, string>): this {
    this.add('password input', inputs['password'])
    this.add('passphrase input', inputs['passphrase'])
    for (const [name, value] of Object.entries(inputs)) {
      if (/PRIVATE KEY-----/.test(value)) this.addPem(`${name} input`, value)
      if (/AGE-SECRET-KEY-1/i.test(value)) this.addAgeIdentities(`${name} input`, value)
    }
    return this
  }

  get size(): number {
    return this.secrets.size
  }

  /** Every occurrence of every registered secret in `text` (labelled `where`). */
  scanText(where: string, text: string): Leak[] {
    const leaks: Leak[] = []
    const lines = text.split(/\r?\n/).filter(l => !l.startsWith('::add-mask::'))
    for (const [value, label] of this.secrets) {
      const pattern =
        value.length < SHORT
          ? new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(value)}(?![A-Za-z0-9])`)
          : new RegExp(escapeRegExp(value))
      // A multi-line secret (a whole PEM) is searched in the whole text; its lines are covered one by one anyway.
      if (value.includes('\n')) {
        if (pattern.test(lines.join('\n'))) leaks.push({ secret: label, where, line: '(whole value)' })
        continue
      }
      for (const line of lines) {
        if (pattern.test(line)) leaks.push({ secret: label, where, line: this.hidden(line) })
      }
    }
    return leaks
  }

  /** The line with every registered secret on it (not only the one that matched) replaced by [SECRET]. */
  private hidden(line: string): string {
    let shown = line
    for (const value of [...this.secrets.keys()].sort((a, b) => b.length - a.length))
      shown = shown.split(value).join('[SECRET]')
    return shown.slice(0, 300)
  }

  /** Everything a run of the action left for a reader: log (without ::add-mask::), outputs, state, summary, error. */
  scanRun(name: string, run: ActionRun): Leak[] {
    const leaks = [
      ...this.scanText(`${name} log`, run.log),
      ...this.scanText(`${name} summary`, run.summary),
      ...this.scanText(`${name} error`, run.error ?? '')
    ]
    for (const [key, value] of Object.entries(run.outputs))
      leaks.push(...this.scanText(`${name} outputs.${key}`, value))
    for (const [key, value] of Object.entries(run.state)) leaks.push(...this.scanText(`${name} state.${key}`, value))
    return leaks
  }

  /** Every manifest.json (and other small text file) under a directory, such as an output-dir. */
  scanTree(dir: string): Leak[] {
    if (!existsSync(dir)) return []
    const leaks: Leak[] = []
    for (const entry of readdirSync(dir, { recursive: true }).map(String)) {
      const file = join(dir, entry)
      if (!entry.endsWith('.json') || !statSync(file).isFile()) continue
      leaks.push(...this.scanText(entry, readFileSync(file, 'utf8')))
    }
    return leaks
  }

  /** Fails (without printing any secret) when any run, text or tree holds a registered secret. */
  expectClean(sources: {
    runs?: Record<string, ActionRun | undefined>
    texts?: Record<string, string>
    trees?: string[]
  }): void {
    if (this.size === 0) throw new Error('SecretScan: no secrets registered; the scan would prove nothing')
    const leaks: Leak[] = []
    for (const [name, run] of Object.entries(sources.runs ?? {})) if (run) leaks.push(...this.scanRun(name, run))
    for (const [name, text] of Object.entries(sources.texts ?? {})) leaks.push(...this.scanText(name, text))
    for (const dir of sources.trees ?? []) leaks.push(...this.scanTree(dir))
    if (leaks.length) {
      throw new Error(`secrets leaked:\n${leaks.map(l => `  ${l.secret} in ${l.where}: ${l.line}`).join('\n')}`)
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
