import { taskQueueSnapshot } from '../../observability/taskQueueGauges';

describe('taskQueueSnapshot', () => {
  it('When Temporal reports a backlog and two pollers, then it gives the backlog, its age and the stalest and freshest poller ages', () => {
    const now = 1_000_000_000;
    const snapshot = taskQueueSnapshot(
      'workflow',
      {
        stats: {
          approximateBacklogCount: 3 as never,
          approximateBacklogAge: { seconds: 12 as never, nanos: 500_000_000 },
        },
        pollers: [
          { identity: 'a', lastAccessTime: { seconds: (now / 1000 - 2) as never, nanos: 0 } },
          { identity: 'b', lastAccessTime: { seconds: (now / 1000 - 75) as never, nanos: 0 } },
        ],
      },
      now,
    );
    expect(snapshot).toEqual({
      kind: 'workflow',
      backlog: 3,
      backlogAgeSeconds: 12.5,
      pollers: 2,
      stalestPollerSeconds: 75,
      freshestPollerSeconds: 2,
    });
  });

  it('When Temporal reports no stats and no pollers, then the backlog is 0 and the poller ages are null', () => {
    expect(taskQueueSnapshot('activity', {}, Date.now())).toEqual({
      kind: 'activity',
      backlog: 0,
      backlogAgeSeconds: 0,
      pollers: 0,
      stalestPollerSeconds: null,
      freshestPollerSeconds: null,
    });
  });
});
