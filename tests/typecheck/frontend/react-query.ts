// @trpc/tanstack-react-query beside @pams/client: the context takes the package's AppRouter and its client.
import { QueryClient, useQuery } from '@tanstack/react-query';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { createPamsClient, type AppRouter } from '@pams/client';

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

/** What <TRPCProvider> takes: createPamsClient()'s client is a client of the frontend's own tRPC. */
export const providerProps: Parameters<typeof TRPCProvider>[0] = {
  trpcClient: createPamsClient({ url: 'http://localhost:3000' }),
  queryClient: new QueryClient(),
  children: null,
};

export function usePatients(query: string) {
  const trpc = useTRPC();
  // @ts-expect-error: limit is a number
  useQuery(trpc.patients.list.queryOptions({ limit: 'all' }));
  return useQuery(trpc.patients.list.queryOptions({ query, limit: 25 })).data;
}
