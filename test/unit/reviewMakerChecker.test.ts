import { decisionFromOperator, mayApprove } from '../../domain/review';

describe('Maker-checker: who may approve a resolution', () => {
  it('When a second admin approves, then it is allowed whether or not self-approval is', () => {
    expect(mayApprove({ proposerId: 1, approverId: 2, selfApprovalAllowed: false })).toBe(true);
    expect(mayApprove({ proposerId: 1, approverId: 2, selfApprovalAllowed: true })).toBe(true);
  });

  it('When the proposer approves their own, then only a deployment that asked for self-approval allows it', () => {
    expect(mayApprove({ proposerId: 1, approverId: 1, selfApprovalAllowed: false })).toBe(false);
    expect(mayApprove({ proposerId: 1, approverId: 1, selfApprovalAllowed: true })).toBe(true);
  });
});

describe("An operator's decision", () => {
  it("When it completes, then it carries the operator's receipt and ResultCode 0, and never the operators' reason", () => {
    const decision = decisionFromOperator({
      proposalId: 1,
      action: 'complete',
      receipt: 'R33MVBMXSF',
      reason: 'internal note',
    });
    expect(decision).toMatchObject({ status: 'completed', receipt: 'R33MVBMXSF', resultCode: '0', source: 'operator' });
    expect(decision.resultDesc).not.toContain('internal note');
  });

  it('When it fails, then it carries no receipt and no M-Pesa result code', () => {
    expect(decisionFromOperator({ proposalId: 1, action: 'fail', receipt: null, reason: 'x' })).toMatchObject({
      status: 'failed',
      receipt: null,
      resultCode: null,
      source: 'operator',
    });
  });
});
