/**
 * Hostile and odd input at the action level (the parser's own cases are in inputs.test.ts): each bad value fails the
 * job with one line naming the input, before anything is written or any etcd call is made, and never echoes a secret;
 * values users would expect to work do. Plus the file-system side: planted symlinks are refused, a shared output-dir
 * is warned about, and everything the action creates is private (0700 dirs, 0600 files).
 */
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { OutputError } from '../../src/errors.js'
import { writeBackupFile } from '../../src/pipeline/index.js'
import { writePrivateFile } from '../../src/tempfiles.js'
import { runAction, runStep, type ActionRun } from '../harness/action-runner.js'
import { startEtcd, stopAll, type EtcdMember } from '../harness/etcd.js'
import { filesUnder } from '../harness/faults.js'
import { makePki, type Pki } from '../harness/pki.js'
import { SecretScan } from '../harness/secrets.js'
import { addRole, addUser, enableAuth, seedKubernetes } from '../harness/seed.js'

let dir: string
let pki: Pki
let member: EtcdMember
let authMember: EtcdMember
const identityFiles: string[] = []
const recipients: string[] = []
const ROOT_PASSWORD = 'root-password-for-the-auth-member'
/** etcd accepts a 2-character password; so must the action. */
const SHORT_PASSWORD = 'Z9'
const secrets = new SecretScan()
/** Numbers the refused runs, whose artifact names must differ. */
let refusals = 0

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hardening-inputs-'))
  pki = await makePki(join(dir, 'pki'))
  ;[member, authMember] = await Promise.all([startEtcd({ pki }), startEtcd({ pki, name: 'auth' })])
  await Promise.all([
    seedKubernetes(member, { objects: 200, seed: 9 }),
    seedKubernetes(authMember, { objects: 200, seed: 10 })
  ])
  await enableAuth(authMember, ROOT_PASSWORD)
  await addUser(authMember, 'backup', SHORT_PASSWORD, ['root'])
  await addRole(authMember, 'nothing')
  await addUser(authMember, 'reader', 'reader-password', ['nothing'])
  for (let i = 0; i < 2; i++) {
    const file = join(dir, `key${i}.txt`)
    execFileSync('age-keygen', ['-o', file], { stdio: 'ignore' })
    identityFiles.push(file)
    recipients.push(execFileSync('age-keygen', ['-y', file], { encoding: 'utf8' }).trim())
    secrets.addAgeIdentities(`age identity ${i}`, file)
  }
  secrets
    .addPki(pki)
    .add('root password', ROOT_PASSWORD)
    .add('short password', SHORT_PASSWORD)
    .add('reader password', 'reader-password')
    .add('password in an endpoint URL', 'hunter22')
})

afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/**
 * Searches a run (and the output-dir it wrote to) for secrets as soon as it ends: each test checks its own runs, so
 * each can run alone.
 */
function scanRun(name: string, run: ActionRun, outputDir?: string): void {
  secrets.expectClean({ runs: { [name]: run }, trees: outputDir ? [outputDir] : [] })
}

function tlsInputs(target: EtcdMember = member): Record<string, string> {
  return { endpoints: target.clientUrl, cacert: pki.caCert, cert: pki.clientCert, key: pki.clientKey }
}

async function backup(
  name: string,
  inputs: Record<string, string>
): Promise<{ main: ActionRun; post: ActionRun; outputDir: string }> {
  const outputDir = inputs['output-dir'] ?? mkdtempSync(join(dir, 'out-'))
  const { main, post } = await runAction({
    inputs: {
      ...tlsInputs(),
      recipients: recipients[0] as string,
      upload: 'false',
      'output-dir': outputDir,
      'artifact-name': name,
      ...inputs
    }
  })
  scanRun(`${name} main`, main, outputDir)
  scanRun(`${name} post`, post, outputDir)
  expect(post.code).toBe(0)
  return { main, post, outputDir }
}

/** The run never got as far as etcd: no member was chosen, nothing written. */
function expectRefusedUpFront(main: ActionRun, outputDir: string): void {
  expect(main.code).not.toBe(0)
  expect(main.error).not.toContain('\n')
  expect(main.log).not.toMatch(/::group::Choose the etcd member/)
  expect(filesUnder(outputDir)).toEqual([])
}

describe('hostile input, at the action level', () => {
  it.each([
    [
      'an endpoint with a path',
      { endpoints: 'https://127.0.0.1:2379/v3/kv' },
      /^endpoints: 'https:\/\/127\.0\.0\.1:2379\/v3\/kv' has a path, query or credentials; give only scheme:\/\/host:port/
    ],
    [
      'an endpoint with credentials in it',
      { endpoints: 'https://root:hunter22@127.0.0.1:2379' },
      /^endpoints: 'https:\/\/\*\*\*@127\.0\.0\.1:2379' has a path, query or credentials; .*credentials go in username\/password/
    ],
    [
      'credentials without a scheme',
      { endpoints: 'root:hunter22@127.0.0.1:2379' },
      /^endpoints: '\*\*\*@127\.0\.0\.1:2379' uses root:\/\//
    ],
    [
      'a unix socket endpoint',
      { endpoints: 'unix:///var/run/etcd.sock' },
      /^endpoints: 'unix:\/\/\/var\/run\/etcd\.sock' uses unix:\/\/; etcd client URLs are https:\/\/ or http:\/\//
    ],
    [
      'a grpc:// endpoint',
      { endpoints: 'grpc://127.0.0.1:2379' },
      /^endpoints: 'grpc:\/\/127\.0\.0\.1:2379' uses grpc:\/\//
    ],
    [
      'a private key where the client certificate belongs',
      () => ({ cert: pki.pem('clientKey') }),
      /^cert \(PEM text\) holds a private key; it must be a certificate/
    ],
    [
      'a private key file as the CA',
      () => ({ cacert: pki.caKey }),
      /^cacert \(.*ca\.key\) holds a private key; it must be a certificate/
    ],
    [
      'an age identity given as a recipient',
      () => ({
        recipients: readFileSync(identityFiles[1] as string, 'utf8').match(/AGE-SECRET-KEY-1\S+/)?.[0] as string
      }),
      /^recipients: recipient 1 is an age identity \(secret key\), not a recipient: pass its public key from `age-keygen -y`$/
    ]
  ])('refuses %s with one line naming the input, without echoing it', async (_what, extra, expected) => {
    const inputs = typeof extra === 'function' ? extra() : extra
    const { main, outputDir } = await backup(`bad-${Object.keys(inputs)[0]}-${++refusals}`, inputs)
    expectRefusedUpFront(main, outputDir)
    expect(main.error).toMatch(expected)
  })

  it('masks an age identity pasted into recipients (it is a private key) before refusing it', async () => {
    const identity = readFileSync(identityFiles[1] as string, 'utf8').match(/AGE-SECRET-KEY-1\S+/)?.[0] as string
    const { main } = await backup('identity-masked', { recipients: `${recipients[0]}\n${identity}` })
    expect(main.error).toMatch(/^recipients: recipient 2 is an age identity/)
    expect(main.log.split('\n')).toContain(`::add-mask::${identity}`)
  })

  it('accepts recipients with a trailing comma and blank lines; either identity decrypts the backup', async () => {
    const { main } = await backup('two-recipients', { recipients: `\n${recipients[0]},\n\n  ${recipients[1]} ,\n,` })
    expect(main.error).toBeUndefined()
    const file = main.outputs['snapshot-file'] as string
    const manifest = JSON.parse(readFileSync(join(file, '..', 'manifest.json'), 'utf8')) as {
      file: { recipients: string[] }
    }
    expect(manifest.file.recipients).toEqual(recipients)
    for (const identity of identityFiles) {
      const trailer = execFileSync(
        'sh',
        ['-c', `age -d -i "${identity}" "${file}" | zstd -d | tail -c 32 | od -An -tx1 | tr -d ' \\n'`],
        { encoding: 'utf8' }
      )
      expect(trailer).toBe(main.outputs['snapshot-sha256'])
    }
  })

  it('backs up an auth-enabled member with a 2-character password; masks it like every secret, warns, and never prints it', async () => {
    const { main } = await backup('short-password', {
      ...tlsInputs(authMember),
      username: 'backup',
      password: SHORT_PASSWORD
    })
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    expect(Number(main.outputs['total-keys'])).toBeGreaterThanOrEqual(200)
    // Decision: every secret is masked, however short (the developers' rule); the runner will star every "Z9" in the
    // rest of the log, so the action warns about that and about the weak password.
    expect(main.log).toMatch(/::warning::password is shorter than 4 characters: it is masked like every secret/)
    expect(main.log).toContain(`::add-mask::${SHORT_PASSWORD}`)
    // backup() has searched both runs and the output-dir: the password never appears as a token in a log, output or file.
  })

  it('a wrong password, or a user without the root role, fails with one line that says which', async () => {
    const wrong = await backup('wrong-password', {
      ...tlsInputs(authMember),
      username: 'backup',
      password: 'not-the-password'
    })
    expect(wrong.main.error).toBe(
      `no usable etcd endpoint: ${authMember.clientUrl}: authentication failed: wrong username or password`
    )
    const reader = await backup('not-root', {
      ...tlsInputs(authMember),
      username: 'reader',
      password: 'reader-password'
    })
    expect(reader.main.error).toMatch(
      new RegExp(
        `^snapshot save from ${authMember.clientUrl.replace(/[.:/]/g, '\\$&')} failed: permission denied: the etcd user needs the root role`
      )
    )
    expect(filesUnder(reader.outputDir)).toEqual([])
  })
})

describe('the file system', () => {
  it('keeps the plaintext and credentials in a 0700 dir as 0600 files, and writes the backup 0600 in a 0700 folder', async () => {
    const outputDir = mkdtempSync(join(dir, 'out-'))
    const runnerTemp = mkdtempSync(join(dir, 'runner-'))
    const main = await runStep('main', {
      runnerTemp,
      inputs: {
        ...tlsInputs(),
        cacert: pki.pem('caCert'),
        cert: pki.pem('clientCert'),
        key: pki.pem('clientKey'),
        recipients: recipients[0] as string,
        upload: 'false',
        'output-dir': outputDir,
        'artifact-name': 'modes'
      }
    })
    scanRun('modes main', main, outputDir)
    expect(main.error).toBeUndefined()
    // Main leaves the private dir for post to remove: look inside before post runs.
    const privateDir = main.state['private-dir'] as string
    expect(statSync(privateDir).mode & 0o777).toBe(0o700)
    const inside = readdirSync(privateDir).sort()
    expect(inside).toEqual(['ca.crt', 'client.crt', 'client.key', 'snapshot.db'])
    for (const f of inside) expect([f, statSync(join(privateDir, f)).mode & 0o777]).toEqual([f, 0o600])
    const file = main.outputs['snapshot-file'] as string
    expect(statSync(join(outputDir, 'modes')).mode & 0o777).toBe(0o700)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const post = await runStep('post', { runnerTemp }, main.state)
    scanRun('modes post', post, outputDir)
    expect(existsSync(privateDir)).toBe(false)
    expect(existsSync(file)).toBe(true)
  })

  it('refuses a symlink planted where the backup folder goes, and writes nothing through it', async () => {
    const outputDir = mkdtempSync(join(dir, 'out-'))
    const attacker = mkdtempSync(join(dir, 'attacker-'))
    symlinkSync(attacker, join(outputDir, 'planted'))
    const { main } = await backup('planted', { 'output-dir': outputDir })
    expect(main.error).toBe(
      `${join(outputDir, 'planted')} already exists; use a new artifact-name or remove the old backup`
    )
    expect(readdirSync(attacker)).toEqual([])
    expect(lstatSync(join(outputDir, 'planted')).isSymbolicLink()).toBe(true)
  })

  it('warns about an output-dir other users can write, and still writes 0600 in a 0700 folder', async () => {
    for (const [mode, shown, risk] of [
      [0o1777, '1777', /they can take the backup folder name first;/],
      [0o777, '0777', /rename or delete the finished backup \(no sticky bit\)/]
    ] as const) {
      const outputDir = mkdtempSync(join(dir, 'shared-'))
      chmodSync(outputDir, mode)
      const name = `shared-${shown}`
      const { main } = await backup(name, { 'output-dir': outputDir })
      expect(main.code).toBe(0)
      const warning = main.log.split('\n').find(l => l.startsWith('::warning::output-dir'))
      expect(warning).toContain(`output-dir ${outputDir} is writable by other users (mode ${shown})`)
      expect(warning).toMatch(risk)
      expect(statSync(join(outputDir, name)).mode & 0o777).toBe(0o700)
      expect(statSync(main.outputs['snapshot-file'] as string).mode & 0o777).toBe(0o600)
    }
    const { main: privateOut } = await backup('private-out', {})
    expect(privateOut.log).not.toMatch(/::warning::output-dir/)
  })

  it('the pipeline refuses a planted .partial or final file and leaves the planted target untouched (O_EXCL|O_NOFOLLOW, link)', async () => {
    const folder = mkdtempSync(join(dir, 'folder-'))
    const victim = join(dir, 'victim.txt')
    writeFileSync(victim, 'do not overwrite')
    const options = { compression: 'none' as const, compressionLevel: 0, encryption: { kind: 'none' as const } }

    const output = join(folder, 'a.db')
    symlinkSync(victim, `${output}.partial`)
    const first = writeBackupFile({ source: Readable.from([Buffer.alloc(4096, 7)]), output, ...options })
    await expect(first).rejects.toThrow(OutputError)
    await expect(first).rejects.toThrow(
      `${output} (or its .partial) already exists; use a new artifact-name or remove the old file`
    )

    const output2 = join(folder, 'b.db')
    symlinkSync(victim, output2)
    await expect(
      writeBackupFile({ source: Readable.from([Buffer.alloc(4096, 7)]), output: output2, ...options })
    ).rejects.toThrow(/already exists/)
    // The half-written .partial of the refused run was removed; the planted links and their target are as they were.
    expect(existsSync(`${output2}.partial`)).toBe(false)
    expect(readFileSync(victim, 'utf8')).toBe('do not overwrite')
    expect(lstatSync(output2).isSymbolicLink()).toBe(true)

    const keyFile = join(folder, 'client.key')
    symlinkSync(victim, keyFile)
    await expect(writePrivateFile(keyFile, 'secret')).rejects.toThrow(/EEXIST/)
    const dangling = join(folder, 'dangling.key')
    symlinkSync(join(dir, 'does-not-exist-yet'), dangling)
    await expect(writePrivateFile(dangling, 'secret')).rejects.toThrow(/EEXIST/)
    expect(existsSync(join(dir, 'does-not-exist-yet'))).toBe(false)
    expect(readFileSync(victim, 'utf8')).toBe('do not overwrite')
  })
})

describe('a symlink planted at the plaintext snapshot path', () => {
  it('the plaintext copy refuses it (O_EXCL|O_NOFOLLOW), writes nothing through it, and leaves no backup file', async () => {
    const folder = mkdtempSync(join(dir, 'private-'))
    const victim = join(dir, 'victim-data.txt')
    writeFileSync(victim, "someone else's file")
    const plaintext = join(folder, 'snapshot.db')
    symlinkSync(victim, plaintext)
    const source = Readable.from([Buffer.alloc(4096, 7)])
    const output = join(folder, 'out.db')
    const written = writeBackupFile({
      source,
      plaintextCopy: plaintext,
      output,
      compression: 'none',
      compressionLevel: 0,
      encryption: { kind: 'none' }
    })
    await expect(written).rejects.toThrow(OutputError)
    await expect(written).rejects.toThrow(`cannot create the plaintext snapshot ${plaintext}: EEXIST`)
    expect(source.destroyed).toBe(true)
    expect(existsSync(`${output}.partial`)).toBe(false)
    expect(existsSync(output)).toBe(false)
    // The planted link is not ours to remove: it and its target are as they were.
    expect(lstatSync(plaintext).isSymbolicLink()).toBe(true)
    expect(readFileSync(victim, 'utf8')).toBe("someone else's file")
  })
})

describe('the secret scan', () => {
  it('finds a planted secret: a PEM base64 line, an identity, a short password as a token; ignores ::add-mask:: lines', () => {
    const scan = new SecretScan()
      .addPem('key', pki.pem('clientKey'))
      .add('short', 'Z9')
      .addAgeIdentities('id', identityFiles[0] as string)
    const line = pki.pem('clientKey').split('\n')[2] as string
    const identity = readFileSync(identityFiles[0] as string, 'utf8').match(/AGE-SECRET-KEY-1\S+/)?.[0] as string
    const fake = (log: string): ActionRun => ({ code: 0, signal: null, log, outputs: {}, state: {}, summary: '' })
    expect(
      scan.scanRun('clean', fake(`::add-mask::${line}\n::add-mask::${identity}\n::add-mask::Z9\nhash Z9x, AZ9 ok`))
    ).toEqual([])
    const found = scan.scanRun('dirty', {
      ...fake(`key: ${line}`),
      outputs: { x: `id=${identity}` },
      summary: 'password: Z9.'
    })
    expect(found.map(l => `${l.secret} @ ${l.where}`).sort()).toEqual([
      'id @ dirty outputs.x',
      'key line 2 @ dirty log',
      'short @ dirty summary'
    ])
    expect(JSON.stringify(found)).not.toContain(line)
    // A whole PEM on one line (as in JSON): the report of each matching key line hides the other key lines too.
    const pemLines = pki
      .pem('clientKey')
      .split('\n')
      .filter(l => l.length >= 16 && !l.startsWith('-----'))
    const oneLine = scan.scanText('json', JSON.stringify({ key: pki.pem('clientKey') }))
    expect(oneLine.length).toBeGreaterThanOrEqual(pemLines.length)
    for (const l of pemLines) expect(JSON.stringify(oneLine)).not.toContain(l)
    expect(() => new SecretScan().expectClean({ texts: { a: 'b' } })).toThrow(/no secrets registered/)
  })

  // Every run above is searched where it ends (scanRun, in backup() and after each runStep); this one stands alone: a
  // backup of the auth-enabled member with a password and the TLS key given as PEM text, so credential files exist.
  it('leaks no secret in a backup with a password and the TLS key given as text', async () => {
    const runnerTemp = mkdtempSync(join(dir, 'runner-'))
    const outputDir = mkdtempSync(join(dir, 'out-'))
    const inputs = {
      endpoints: authMember.clientUrl,
      cacert: pki.pem('caCert'),
      cert: pki.pem('clientCert'),
      key: pki.pem('clientKey'),
      username: 'root',
      password: ROOT_PASSWORD,
      recipients: recipients[0] as string,
      upload: 'false',
      'output-dir': outputDir,
      'artifact-name': 'no-leak'
    }
    const scan = new SecretScan().addSecretInputs(inputs).addPki(pki)
    expect(scan.size).toBeGreaterThan(2)
    const { main, post } = await runAction({ runnerTemp, inputs })
    scanRun('no-leak main', main, outputDir)
    scanRun('no-leak post', post, outputDir)
    expect(main.error).toBeUndefined()
    expect(main.code).toBe(0)
    expect(Number(main.outputs['total-keys'])).toBeGreaterThanOrEqual(200)
    expect(post.code).toBe(0)
    // The key was written to a file for etcd's client, and the post step removed it with the plaintext.
    expect(main.state['private-dir']).toMatch(/\/etcd-snapshot-\w+$/)
    expect(existsSync(main.state['private-dir']!)).toBe(false)
    scan.expectClean({ runs: { main, post }, trees: [dir] })
    secrets.expectClean({ trees: [dir] })
  })
})
