/**
 * The names main hands to post through the runner's state file (read back as STATE_<name>): post finds a value only
 * under the exact name main saved it, so the names are fixed and distinct.
 */
import { describe, expect, it } from '@jest/globals'
import { State } from '../../../src/action/state.js'

describe('State', () => {
  it('names the private dir and the output file, distinctly', () => {
    expect(State.PrivateDir).toBe('private-dir')
    expect(State.OutputFile).toBe('output-file')
    const names = Object.values(State)
    expect(new Set(names).size).toBe(names.length)
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9-]*$/)
  })
})
