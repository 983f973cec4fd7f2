import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MemberStatus } from '../../src/etcd/client.js'
import { freePorts } from '../../src/etcd/ports.js'
import { PROBES_IN_FLIGHT, selectEndpoint, type EndpointProbe } from '../../src/backup/select.js'
import { MAX_ENDPOINTS, parseEndpoints } from '../../src/action/inputs.js'
import { runAction } from '../harness/action-runner.js'
import { ETCDCTL_BIN } from '../harness/etcd.js'

function member(id: string, over: Partial<MemberStatus> = {}): MemberStatus {
  return {
    endpoint: `https://10.0.0.${id}:2379`,
    clusterId: 'c1',
    memberId: id,
    leaderId: '1',
    isLearner: false,
    alarms: [],
    version: '3.5.17',
    revision: 100,
    raftIndex: 1000,
    raftAppliedIndex: 1000,
    raftTerm: 2,
    dbSize: 1 << 20,
    ...over
  }
}
const ok = (m: MemberStatus): EndpointProbe => ({ endpoint: m.endpoint, status: m })

describe('selectEndpoint', () => {
  it('prefers a caught-up follower over the leader and says why', () => {
    const choice = selectEndpoint([
      ok(member('1')),
      ok(member('2', { raftAppliedIndex: 990 })),
      ok(member('3', { raftAppliedIndex: 1000 }))
    ])
    expect(choice.member.memberId).toBe('3')
    expect(choice.reason).toMatch(/caught-up follower/)
  })

  it('falls back to the leader when followers lag', () => {
    const choice = selectEndpoint([ok(member('1')), ok(member('2', { raftAppliedIndex: 10 }))])
    expect(choice.member.memberId).toBe('1')
    expect(choice.reason).toMatch(/the leader \(no follower is caught up\)/)
  })

  it('skips learners, alarmed members and unreachable endpoints, naming each', () => {
    const choice = selectEndpoint([
      { endpoint: 'https://10.0.0.9:2379', error: 'connection refused' },
      ok(member('2', { isLearner: true })),
      ok(member('3', { alarms: ['alarm:NOSPACE'] })),
      ok(member('1'))
    ])
    expect(choice.member.memberId).toBe('1')
    expect(choice.skipped.map(s => s.why)).toEqual([
      'connection refused',
      expect.stringMatching(/learner/),
      'alarm: alarm:NOSPACE'
    ])
  })

  it('fails with every endpoint and its reason when none is usable', () => {
    expect(() =>
      selectEndpoint([
        { endpoint: 'https://a:2379', error: 'connection refused' },
        { endpoint: 'https://b:2379', error: 'no answer in time' }
      ])
    ).toThrow('no usable etcd endpoint: https://a:2379: connection refused; https://b:2379: no answer in time')
  })

  it('refuses endpoints from two different clusters', () => {
    expect(() => selectEndpoint([ok(member('1')), ok(member('2', { clusterId: 'c2' }))])).toThrow(/different clusters/)
  })

  it('follows the leader the others report even when the leader itself did not answer', () => {
    const choice = selectEndpoint([
      { endpoint: 'https://10.0.0.1:2379', error: 'connection refused' },
      ok(member('2', { raftIndex: 900, raftAppliedIndex: 900 })),
      ok(member('3', { raftIndex: 1000, raftAppliedIndex: 1000 }))
    ])
    expect(choice.member.memberId).toBe('3')
    expect(choice.reason).toMatch(/caught-up follower/)
  })

  it('takes the most advanced member when no member reports a leader (an election under way)', () => {
    const choice = selectEndpoint([
      ok(member('2', { leaderId: '0', raftIndex: 900, raftAppliedIndex: 900 })),
      ok(member('3', { leaderId: '0', raftIndex: 1000, raftAppliedIndex: 1000 }))
    ])
    expect(choice.member.memberId).toBe('3')
    expect(choice.reason).toBe('the most advanced member reachable (applied index 1000); no member reports a leader')
  })
})

describe('many endpoints', () => {
  const refused = 'connection refused: nothing listens there, or etcd is down'
  const silent = 'no answer in time (unreachable, or blocked by a firewall)'

  it('none usable out of 1000: one line of counts per reason, with the first endpoint of each', () => {
    const probes: EndpointProbe[] = Array.from({ length: 1000 }, (_, i) => ({
      endpoint: `https://10.0.${i >> 8}.${i & 255}:2379`,
      error: i === 17 || i === 500 ? refused : silent
    }))
    let message = ''
    expect(() => selectEndpoint(probes)).toThrow(Error)
    try {
      selectEndpoint(probes)
    } catch (e: unknown) {
      message = (e as Error).message
    }
    expect(message).toBe(
      `none of 1000 etcd endpoints is usable: 998 ${silent} (first: https://10.0.0.0:2379); 2 ${refused} (first: https://10.0.0.17:2379)`
    )
  })

  it('stays one short line when every endpoint fails its own long way', () => {
    const probes: EndpointProbe[] = Array.from({ length: 1000 }, (_, i) => ({
      endpoint: `https://member-${i}.${'x'.repeat(200)}.example:2379`,
      error: `etcdctl said something long and unusual number ${i}: ${'y'.repeat(300)}`
    }))
    const message = (() => {
      try {
        selectEndpoint(probes)
      } catch (e: unknown) {
        return (e as Error).message
      }
      return 'did not throw'
    })()
    expect(message).toMatch(
      /^none of 1000 etcd endpoints is usable: 1 etcdctl said something long and unusual number 0: y+…/
    )
    expect(message).not.toContain('\n')
    expect(message.length).toBeLessThanOrEqual(480)
  })

  it(`${MAX_ENDPOINTS} unreachable endpoints: at most ${PROBES_IN_FLIGHT} probes at once, and one short error line`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'select-many-'))
    try {
      // Each probe is one connection from the action's own node: a module loaded into it notes when each socket to
      // a port starts to connect and when it fails or closes (a refused one fails at once: this counts probes).
      const events = join(dir, 'events')
      mkdirSync(events)
      const counter = join(dir, 'count-connections.mjs')
      writeFileSync(
        counter,
        [
          "import { writeFileSync } from 'node:fs'",
          "import net from 'node:net'",
          'const connect = net.Socket.prototype.connect',
          'let n = 0',
          'net.Socket.prototype.connect = function (...args) {',
          '  const options = Array.isArray(args[0]) ? args[0][0] : args[0]',
          "  if (typeof options?.port !== 'number' && typeof options?.port !== 'string') return connect.apply(this, args)",
          `  const id = \`${events}/\${options.port}-\${process.pid}-\${n++}\``,
          '  writeFileSync(`${id}.start`, String(process.hrtime.bigint()))',
          '  let ended = false',
          '  const end = () => ended || ((ended = true), writeFileSync(`${id}.end`, String(process.hrtime.bigint())))',
          "  this.once('error', end).once('close', end)",
          '  return connect.apply(this, args)',
          '}',
          ''
        ].join('\n')
      )
      // Closed ports on loopback, half https, half http.
      const ports = await freePorts(MAX_ENDPOINTS)
      const endpoints = ports.map((port, i) => `${i % 2 ? 'http' : 'https'}://127.0.0.1:${port}`)
      const identity = join(dir, 'key.txt')
      execFileSync('age-keygen', ['-o', identity], { stdio: 'ignore' })
      const recipient = execFileSync('age-keygen', ['-y', identity], { encoding: 'utf8' }).trim()
      const { main, post } = await runAction({
        inputs: {
          endpoints: endpoints.join('\n'),
          etcdctl: ETCDCTL_BIN,
          cacert: '',
          cert: '',
          key: '',
          recipients: recipient,
          upload: 'false',
          'output-dir': dir,
          'artifact-name': 'many'
        },
        env: { NODE_OPTIONS: `--import ${counter}` }
      })
      expect(post.code).toBe(0)
      expect(main.error).toBe(
        `none of ${MAX_ENDPOINTS} etcd endpoints is usable: ${MAX_ENDPOINTS} ${refused} (first: ${endpoints[0]})`
      )
      expect(main.error!.length).toBeLessThan(500)

      const probed = new Set(ports.map(String))
      const files = readdirSync(events).filter(f => probed.has(f.split('-')[0]!))
      expect(files.filter(f => f.endsWith('.start'))).toHaveLength(MAX_ENDPOINTS)
      expect(files.filter(f => f.endsWith('.end'))).toHaveLength(MAX_ENDPOINTS)
      const moments = files.map(f => ({
        delta: f.endsWith('.start') ? 1 : -1,
        at: BigInt(readFileSync(join(events, f), 'utf8').trim())
      }))
      moments.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.delta - b.delta))
      let inFlight = 0
      let most = 0
      for (const { delta } of moments) {
        inFlight += delta
        most = Math.max(most, inFlight)
      }
      expect(most).toBeLessThanOrEqual(PROBES_IN_FLIGHT)
      // ...and they did run side by side.
      expect(most).toBeGreaterThan(1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 240_000)

  it(`refuses more than ${MAX_ENDPOINTS} endpoints as an input, in one line`, () => {
    const many = Array.from({ length: 1000 }, (_, i) => `https://10.0.${i >> 8}.${i & 255}:2379`)
    expect(parseEndpoints(many.slice(0, MAX_ENDPOINTS).join('\n'))).toHaveLength(MAX_ENDPOINTS)
    expect(() => parseEndpoints(many.join('\n'))).toThrow(
      `endpoints: 1000 endpoints given, at most ${MAX_ENDPOINTS}; list the client URLs of one cluster's members`
    )
  })
})
