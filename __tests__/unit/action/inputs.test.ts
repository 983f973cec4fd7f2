import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jest } from '@jest/globals'
import { ConfigurationError } from '../../../src/errors.js'
import { getInputs, MAX_DURATION_MS, parseDuration, Inputs } from '../../../src/action/inputs.js'
import { actionDefaults } from '../../harness/action-runner.js'
import { makePki, type Pki } from '../../harness/pki.js'

let dir: string
let pki: Pki
let recipient: string
let identity: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputs-test-'))
  pki = await makePki(join(dir, 'pki'))
  identity = execFileSync('age-keygen', [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n')
    .find(l => l.startsWith('AGE-SECRET-KEY-1')) as string
  recipient = execFileSync('age-keygen', ['-y'], { input: identity, encoding: 'utf8' }).trim()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Sets INPUT_* exactly as a runner would: action.yml defaults, overridden by the given inputs. */
function setInputs(inputs: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
  const all = {
    ...actionDefaults(),
    cacert: pki.caCert,
    cert: pki.clientCert,
    key: pki.clientKey,
    recipients: recipient,
    'output-dir': dir,
    ...inputs
  }
  for (const [k, v] of Object.entries(all)) process.env[`INPUT_${k.toUpperCase()}`] = v
}

/** @actions/core masks by printing ::add-mask::<value> for the runner; this captures the values it printed. */
function captureMasks(): { masked: () => string[]; spy: { mockRestore(): void } } {
  let printed = ''
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += chunk.toString()
    return true
  })
  const masked = (): string[] =>
    printed
      .split(/\r?\n/)
      .filter(l => l.startsWith('::add-mask::'))
      .map(l => l.slice(12).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'))
  return { masked, spy }
}

function errorFor(inputs: Record<string, string>): string {
  setInputs(inputs)
  try {
    getInputs()
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(ConfigurationError)
    const message = (e as Error).message
    expect(message).not.toContain('\n')
    return message
  }
  throw new Error(`expected a ConfigurationError for ${JSON.stringify(inputs)}`)
}

describe('getInputs', () => {
  it('accepts the defaults with real PKI files and a recipient', () => {
    setInputs({})
    const s = getInputs(new Date('2026-11-25T08:09:10.123Z'))
    expect(s.endpoints).toEqual(['https://127.0.0.1:2379'])
    expect(s.tls?.cacert).toEqual({ kind: 'file', path: pki.caCert })
    expect(s.encryption.kind).toBe('age-recipients')
    expect(s.compression).toBe('zstd')
    expect(s.compressionLevel).toBe(3)
    expect(s.artifactName).toBe('etcd-snapshot-20261125T080910Z')
    expect(s.upload).toBe(true)
    expect(s.minKeys).toBe(1)
    expect(s.timeoutMs).toBe(600_000)
    expect(s.retentionDays).toBeUndefined()
  })

  it('splits endpoints on commas and newlines, ignoring blanks and duplicates', () => {
    setInputs({ endpoints: 'https://10.0.0.1:2379,\nhttps://10.0.0.2:2379\n\nhttps://10.0.0.1:2379,' })
    expect(getInputs().endpoints).toEqual(['https://10.0.0.1:2379', 'https://10.0.0.2:2379'])
  })

  it('keeps an explicit default port (URL drops it): https://host:443 has a port', () => {
    setInputs({ endpoints: 'https://etcd.example:443, http://10.0.0.1:80/, https://[::1]:443, https://10.0.0.2:2379' })
    expect(getInputs().endpoints).toEqual([
      'https://etcd.example:443',
      'http://10.0.0.1:80',
      'https://[::1]:443',
      'https://10.0.0.2:2379'
    ])
    expect(errorFor({ endpoints: 'https://etcd.example' })).toMatch(/has no port/)
    expect(errorFor({ endpoints: 'https://[::1]' })).toMatch(/has no port/)
  })

  it('accepts recipients with a trailing comma and blank lines', () => {
    setInputs({ recipients: `${recipient},\n\n${recipient},` })
    const s = getInputs()
    expect(s.encryption.kind === 'age-recipients' && s.encryption.recipientStrings).toEqual([recipient, recipient])
  })

  it('masks the key PEM, password and passphrase before anything else', () => {
    const { masked, spy } = captureMasks()
    try {
      const keyPem = readFileSync(pki.clientKey, 'utf8')
      setInputs({
        key: keyPem,
        username: 'root',
        password: 'hunter2hunter2',
        recipients: '',
        passphrase: 'correct horse battery'
      })
      getInputs()
      expect(masked()).toEqual(expect.arrayContaining(['hunter2hunter2', 'correct horse battery', keyPem.trim()]))
      // each base64 line of the key, since the runner masks line by line
      const bodyLine = keyPem.split('\n')[1] as string
      expect(masked()).toContain(bodyLine)
    } finally {
      spy.mockRestore()
    }
  })

  it('takes PEM text as well as paths', () => {
    setInputs({
      cacert: readFileSync(pki.caCert, 'utf8'),
      cert: readFileSync(pki.clientCert, 'utf8'),
      key: readFileSync(pki.clientKey, 'utf8')
    })
    const s = getInputs()
    expect(s.tls?.cert?.kind).toBe('text')
    expect(s.tls?.key?.kind).toBe('text')
  })

  it('means no TLS when cacert, cert and key are all empty', () => {
    setInputs({ cacert: '', cert: '', key: '', endpoints: 'http://127.0.0.1:2379' })
    expect(getInputs().tls).toBeUndefined()
  })

  it.each([
    [{ endpoints: 'ftp://127.0.0.1:2379' }, /endpoints: 'ftp:\/\/127\.0\.0\.1:2379' uses ftp:\/\//],
    [{ endpoints: 'https://127.0.0.1:2379/v3' }, /has a path/],
    [{ endpoints: '127.0.0.1:2379' }, /endpoints/],
    [{ endpoints: 'https://127.0.0.1' }, /has no port/],
    [{ key: '/nonexistent/client.key' }, /^key: file \/nonexistent\/client\.key does not exist/],
    [{ cacert: '/nonexistent/ca.crt' }, /set cacert, cert and key all empty/],
    [{ cert: '' }, /^key is set but cert is empty/],
    [{ recipients: 'age1notarecipient' }, /^recipients: recipient 1/],
    [{ passphrase: 'long enough passphrase' }, /either recipients or passphrase, not both/],
    [{ recipients: '' }, /neither recipients nor passphrase is set/],
    [{ recipients: '', passphrase: 'short' }, /passphrase is shorter than 8/],
    [{ encryption: 'aes' }, /encryption must be 'age' or 'none'/],
    [{ encryption: 'none' }, /encryption is none but recipients/],
    [{ compression: 'bzip2' }, /compression must be zstd, gzip or none, not 'bzip2'/],
    [{ 'compression-level': '25' }, /compression-level must be a whole number from 1 to 19/],
    [{ 'retention-days': '0' }, /retention-days must be a whole number from 1 to 90, not '0'/],
    [{ 'retention-days': '91' }, /retention-days must be a whole number from 1 to 90/],
    [{ 'retention-days': 'ten' }, /retention-days/],
    [{ 'artifact-name': 'nightly:backup' }, /artifact-name 'nightly:backup' contains ":"/],
    [{ 'artifact-name': 'a/b' }, /contains "\/"/],
    [{ 'min-keys': '-1' }, /min-keys must be a whole number/],
    [{ timeout: '10 minutes' }, /timeout must be a duration such as 90s/],
    [{ upload: 'maybe' }, /upload must be true or false/],
    [{ 'output-dir': '/nonexistent/out' }, /output-dir: \/nonexistent\/out does not exist/],
    [{ password: 'secret-password' }, /password is set but username is empty/]
  ])('rejects %j with one line naming the input', (inputs, expected) => {
    expect(errorFor(inputs)).toMatch(expected)
  })

  it('refuses more than 1024 recipients, the most an age file may have', () => {
    expect(errorFor({ recipients: Array.from({ length: 1025 }, () => recipient).join('\n') })).toBe(
      'recipients: 1025 recipients are more than the 1024 an age file may have; use fewer recipients'
    )
    setInputs({ recipients: Array.from({ length: 1024 }, () => recipient).join(',') })
    expect(getInputs().encryption.kind).toBe('age-recipients')
  })

  it('names an age identity given as a recipient without echoing it', () => {
    const message = errorFor({ recipients: identity })
    expect(message).toMatch(/identity/)
    expect(message).not.toContain(identity.slice(16))
  })

  it('refuses a private key where a certificate belongs, without echoing it', () => {
    const keyPem = readFileSync(pki.clientKey, 'utf8')
    const message = errorFor({ cert: keyPem })
    expect(message).toMatch(/^cert \(PEM text\) holds a private key; it must be a certificate/)
    expect(message).not.toContain(keyPem.split('\n')[1])
    expect(errorFor({ cacert: pki.clientKey })).toMatch(/^cacert \(.*\) holds a private key/)
  })

  it('refuses a key file that holds a certificate', () => {
    expect(errorFor({ key: pki.clientCert })).toMatch(/^key \(.*\) holds no PEM private key/)
  })

  it('refuses an expired client certificate', () => {
    const expired = join(dir, 'expired.crt')
    const expiredKey = join(dir, 'expired.key')
    const csr = join(dir, 'expired.csr')
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        expiredKey,
        '-out',
        csr,
        '-subj',
        '/CN=old'
      ],
      { stdio: 'ignore' }
    )
    // -days -1: valid until yesterday
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-signkey', expiredKey, '-days', '-1', '-out', expired], {
      stdio: 'ignore'
    })
    expect(errorFor({ cert: expired, key: expiredKey })).toMatch(/^cert \(.*\) expired on/)
  })

  it('accepts a two-character etcd password (etcd allows it) and masks it', () => {
    const { masked, spy } = captureMasks()
    try {
      setInputs({ username: 'backup', password: 'ab' })
      expect(getInputs().password).toBe('ab')
      expect(masked()).toContain('ab')
    } finally {
      spy.mockRestore()
    }
  })

  it('parses Go-style durations', () => {
    expect(parseDuration(Inputs.Timeout, '90s')).toBe(90_000)
    expect(parseDuration(Inputs.Timeout, '1h30m')).toBe(5_400_000)
    expect(parseDuration(Inputs.Timeout, '45')).toBe(45_000)
    expect(() => parseDuration(Inputs.Timeout, '0s')).toThrow(/longer than zero/)
    expect(() => parseDuration(Inputs.Timeout, '0')).toThrow(/longer than zero/)
  })

  it('takes a duration beyond what Node can arm a timer for as the longest it can (24 days)', () => {
    const TIMER_MAX = 2 ** 31 - 1
    // Room for the seconds callers add to a limit for their own timers.
    expect(MAX_DURATION_MS + 3_600_000).toBeLessThan(TIMER_MAX)
    expect(parseDuration(Inputs.Timeout, '576h')).toBe(MAX_DURATION_MS)
    expect(parseDuration(Inputs.Timeout, `${MAX_DURATION_MS - 1}ms`)).toBe(MAX_DURATION_MS - 1)
    expect(parseDuration(Inputs.Timeout, `${MAX_DURATION_MS + 1}ms`)).toBe(MAX_DURATION_MS)
    for (const ms of [TIMER_MAX, TIMER_MAX + 1, 2 ** 32]) {
      expect(parseDuration(Inputs.Timeout, `${ms}ms`)).toBe(MAX_DURATION_MS)
    }
    expect(parseDuration(Inputs.UploadTimeout, '700h')).toBe(MAX_DURATION_MS)
    expect(parseDuration(Inputs.Timeout, String(2 ** 31))).toBe(MAX_DURATION_MS)
    expect(parseDuration(Inputs.Timeout, `${'9'.repeat(400)}h`)).toBe(MAX_DURATION_MS)
    setInputs({ timeout: '700h', 'upload-timeout': '99999h' })
    expect(getInputs()).toMatchObject({ timeoutMs: MAX_DURATION_MS, uploadTimeoutMs: MAX_DURATION_MS })
  })

  it('declares in action.yml every input the parser reads', () => {
    const declared = Object.keys(actionDefaults())
    for (const name of Object.values(Inputs)) expect(declared).toContain(name)
  })
})
