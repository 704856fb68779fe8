// The README's "Live notifications" client set-up, type-checked against the packed @pams/client only
// (tests/client-package.test.ts): notifications.stream through createPamsClient, and through a plain
// @trpc/client splitLink, resuming after the last event id.
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { createPamsClient, type AppRouter, type RouterOutputs } from '@pams/client';

type Notification = RouterOutputs['notifications']['list']['items'][number];

// In the browser: the session cookie travels with the page's own EventSource (no token needed).
const api = createPamsClient({ url: 'https://pams.example.org' });

let lastEventId: string | null = localStorage.getItem('pams:lastEventId');

export function watch(show: (n: Notification) => void): () => void {
  const sub = api.notifications.stream.subscribe(
    { lastEventId },
    {
      onData({ id, data }) {
        lastEventId = id; // the client resumes after it by itself; kept here for the next page load
        localStorage.setItem('pams:lastEventId', id);
        // Told apart by kind, each with its own data (ids only: fetch the rest through the reads).
        if (data.kind === 'reminder.due') console.log(`step ${data.data.stepId} is due on ${data.data.day}`);
        show(data);
      },
      onError(err) {
        // UNAUTHORIZED (reason 'session-ended'): sign in again; TOO_MANY_REQUESTS: close another tab's stream.
        console.warn(err.data?.code, err.data?.reason);
      },
    },
  );
  return () => sub.unsubscribe();
}

// The same with tRPC's own links: subscriptions over SSE, everything else batched.
export const plain = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url: 'https://pams.example.org/trpc', eventSourceOptions: { withCredentials: true } }),
      false: httpBatchLink({ url: 'https://pams.example.org/trpc' }),
    }),
  ],
});

export function unreadOnOtherTabs(): Promise<number> {
  return plain.notifications.unreadCount.query().then((r) => r.unreadCount);
}

export function wrongInput(): void {
  // @ts-expect-error: lastEventId is an event's id, a string
  plain.notifications.stream.subscribe({ lastEventId: 42 }, {});
}
