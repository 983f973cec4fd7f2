import { selectEndpoint, type EndpointProbe } from '../src/etcd/select.js'
import type { MemberStatus } from '../src/etcd/client.js'

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
    const choice = selectEndpoint([ok(member('1')), ok(member('2', { raftAppliedIndex: 990 })), ok(member('3', { raftAppliedIndex: 1000 }))])
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
    expect(choice.skipped.map(s => s.why)).toEqual(['connection refused', expect.stringMatching(/learner/), 'alarm: alarm:NOSPACE'])
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
