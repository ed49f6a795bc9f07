import { decisionFromOperator, mayApprove } from '../../domain/review';

describe('Maker-checker: who may approve a resolution', () => {
  it('When a second admin approves, then it is allowed in production and development', () => {
    expect(mayApprove({ proposerId: 1, approverId: 2, environment: 'production' })).toBe(true);
    expect(mayApprove({ proposerId: 1, approverId: 2, environment: 'development' })).toBe(true);
  });

  it('When the proposer approves their own, then production refuses and only development allows it', () => {
    expect(mayApprove({ proposerId: 1, approverId: 1, environment: 'production' })).toBe(false);
    expect(mayApprove({ proposerId: 1, approverId: 1, environment: 'development' })).toBe(true);
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
