/** Helpers for the age tests: in-memory encryption/decryption, vectors, and running the age CLI. */

import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { inflateSync } from 'node:zlib'
import { expect } from '@jest/globals'
import { AgeError } from '../../src/errors.js'
import {
  createDecryptStream,
  createEncryptStream,
  type DecryptOptions,
  type EncryptOptions
} from '../../src/age/index.js'

/** The thrown AgeError; fails the test if nothing (or something else) is thrown. */
export function ageErrorOf(fn: () => unknown): AgeError {
  try {
    fn()
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(AgeError)
    expect((e as Error).message).not.toContain('\n')
    return e as AgeError
  }
  throw new Error('expected an AgeError, but nothing was thrown')
}

/** Splits a buffer into pieces of `size` bytes (the last may be shorter), as a stream would deliver it. */
export function pieces(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size))
  return out
}

export async function encrypt(plaintext: Buffer, options: EncryptOptions, pieceSize = 1 << 20): Promise<Buffer> {
  const out: Buffer[] = []
  await pipeline(
    Readable.from(pieces(plaintext, pieceSize)),
    createEncryptStream(options),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk)
        callback()
      }
    })
  )
  return Buffer.concat(out)
}

export interface DecryptResult {
  /** Everything the stream released, even if it failed later. */
  readonly plaintext: Buffer
  readonly error: Error | undefined
}

export async function decrypt(file: Buffer, options: DecryptOptions, pieceSize = 1 << 20): Promise<DecryptResult> {
  const out: Buffer[] = []
  let error: Error | undefined
  try {
    await pipeline(
      Readable.from(pieces(file, pieceSize)),
      createDecryptStream(options),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          out.push(chunk)
          callback()
        }
      })
    )
  } catch (e: unknown) {
    error = e instanceof Error ? e : new Error(String(e))
  }
  return { plaintext: Buffer.concat(out), error }
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/** One CCTV age test vector: its textual header (keys may repeat) and the age file. */
export interface AgeVector {
  readonly name: string
  readonly expect: string
  readonly payloadSha256: string | undefined
  readonly identities: string[]
  readonly passphrases: string[]
  readonly armored: boolean
  readonly file: Buffer
}

export function parseVector(name: string, bytes: Uint8Array): AgeVector {
  const data = Buffer.from(bytes)
  const split = data.indexOf('\n\n')
  const fields = data
    .subarray(0, split)
    .toString('utf8')
    .split('\n')
    .map(line => {
      const at = line.indexOf(': ')
      return [line.slice(0, at), line.slice(at + 2)] as const
    })
  const all = (key: string): string[] => fields.filter(([k]) => k === key).map(([, v]) => v)
  let file = data.subarray(split + 2)
  if (all('compressed')[0] === 'zlib') file = inflateSync(file)
  return {
    name,
    expect: all('expect')[0] ?? '',
    payloadSha256: all('payload')[0],
    identities: all('identity'),
    passphrases: all('passphrase'),
    armored: all('armored')[0] === 'yes',
    file
  }
}

export interface CommandResult {
  readonly code: number
  readonly stdout: Buffer
  readonly stderr: string
}

/** Runs a command with optional stdin; never rejects on a non-zero exit. */
export function run(command: string, args: string[], input?: Buffer): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { encoding: 'buffer', maxBuffer: 256 << 20 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error)
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr: stderr.toString('utf8') })
    })
    // A command given a file argument may exit without reading stdin; the EPIPE that causes is not the result the
    // test judges (exit code and output are).
    child.stdin!.on('error', () => undefined)
    child.stdin!.end(input ?? Buffer.alloc(0))
  })
}

/**
 * Runs an age command that reads a passphrase from its terminal (age -p, age -d of a passphrase
 * file) under util-linux `script`, which gives it a pseudo-terminal; the passphrase is typed after
 * each prompt appears.
 */
export function runWithPassphraseTty(
  shellCommand: string,
  passphrase: string
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', shellCommand, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    let answered = 0
    const onOutput = (chunk: Buffer): void => {
      output += chunk.toString('utf8')
      const prompts = output.split(/passphrase[^:\n]*:/i).length - 1
      while (answered < prompts) {
        answered++
        child.stdin.write(`${passphrase}\n`)
      }
    }
    child.stdout.on('data', onOutput)
    child.stderr.on('data', onOutput)
    child.on('error', reject)
    child.on('close', code => {
      child.stdin.destroy()
      resolve({ code: code ?? -1, output })
    })
  })
}
