/** The backup action's s3-* inputs as a runner passes them (INPUT_* variables), and the masking of AWS secrets. */
import { jest } from '@jest/globals'
import { ConfigurationError } from '../../../src/errors.js'
import { parseS3Inputs, S3Input } from '../../../src/action/s3-inputs.js'
import { actionDefaults } from '../../harness/action-runner.js'

const saved = { ...process.env }
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
  Object.assign(process.env, saved)
})

function setInputs(inputs: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
  for (const [k, v] of Object.entries({ ...actionDefaults(), ...inputs })) {
    process.env[`INPUT_${k.toUpperCase()}`] = v
  }
}

function printedMasks(run: () => void): string[] {
  let printed = ''
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += chunk.toString()
    return true
  })
  try {
    run()
  } finally {
    spy.mockRestore()
  }
  return [...printed.matchAll(/^::add-mask::(.*)$/gm)].map(m => m[1] as string)
}

describe('s3 inputs', () => {
  it('declares in action.yml every s3 input the parser reads', () => {
    const declared = Object.keys(actionDefaults())
    for (const name of Object.values(S3Input)) expect(declared).toContain(name)
  })

  it('is off with the defaults, and reads every input when s3-uri is set', () => {
    setInputs({})
    expect(parseS3Inputs()).toBeUndefined()
    setInputs({
      's3-uri': 's3://etcd-backups/prod',
      's3-endpoint': 'https://minio.example.net:9000',
      's3-region': 'eu-central-1',
      's3-force-path-style': 'false',
      's3-object-lock-mode': 'compliance',
      's3-object-lock-days': '35',
      's3-storage-class': 'STANDARD_IA'
    })
    expect(parseS3Inputs()).toEqual({
      bucket: 'etcd-backups',
      prefix: 'prod/',
      endpoint: 'https://minio.example.net:9000',
      region: 'eu-central-1',
      forcePathStyle: false,
      objectLock: { mode: 'COMPLIANCE', days: 35 },
      storageClass: 'STANDARD_IA'
    })
  })

  it('refuses a lock without days in one line naming the input', () => {
    setInputs({ 's3-uri': 's3://etcd-backups/', 's3-object-lock-mode': 'GOVERNANCE' })
    expect(() => parseS3Inputs()).toThrow(ConfigurationError)
    expect(() => parseS3Inputs()).toThrow(/^s3-object-lock-mode is set without s3-object-lock-days/)
  })

  it('masks the AWS secret key and session token when the copy is on, and leaves them alone when it is off', () => {
    process.env['AWS_SECRET_ACCESS_KEY'] = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
    process.env['AWS_SESSION_TOKEN'] = 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN'
    setInputs({ 's3-uri': 's3://etcd-backups/' })
    expect(printedMasks(() => parseS3Inputs())).toEqual([
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'FwoGZXIvYXdzEXAMPLESESSIONTOKEN'
    ])
    setInputs({})
    expect(printedMasks(() => parseS3Inputs())).toEqual([])
  })
})
