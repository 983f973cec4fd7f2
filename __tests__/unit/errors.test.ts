/** The typed errors carry their class name, and errorMessage finds a message in anything thrown. */
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from '@jest/globals'
import {
  AgeError,
  ArtifactError,
  ConfigurationError,
  errorMessage,
  EtcdError,
  ManifestError,
  OutputError,
  VerificationError
} from '../../src/errors.js'

describe('typed errors', () => {
  it('are Errors whose name is their class, so logs tell a user mistake from a failure', () => {
    const classes = [
      ConfigurationError,
      EtcdError,
      VerificationError,
      AgeError,
      ArtifactError,
      OutputError,
      ManifestError
    ]
    for (const Class of classes) {
      const e = new Class('what went wrong')
      expect(e).toBeInstanceOf(Error)
      expect(e.name).toBe(Class.name)
      expect(String(e)).toBe(`${Class.name}: what went wrong`)
    }
  })
})

describe('errorMessage', () => {
  it('takes the message of an Error, a string as it is, and anything else as JSON', () => {
    expect(errorMessage(new EtcdError('connection refused'))).toBe('connection refused')
    expect(errorMessage('plain text')).toBe('plain text')
    expect(errorMessage({ code: 14 })).toBe('{"code":14}')
    expect(errorMessage(42)).toBe('42')
    expect(errorMessage(null)).toBe('null')
    expect(errorMessage(undefined)).toBe('undefined')
  })

  it('reads the message of an Error from another realm, which fails instanceof', () => {
    const foreign: unknown = runInNewContext('new Error("from a worker")')
    expect(foreign instanceof Error).toBe(false)
    expect(errorMessage(foreign)).toBe('from a worker')
  })

  it('survives values JSON cannot write', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    expect(errorMessage(cyclic)).toBe('[object Object]')
    expect(errorMessage(10n)).toBe('10')
  })
})
