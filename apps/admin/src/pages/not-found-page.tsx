import { ButtonLink } from '../components/button';
import { EmptyState } from '../components/states';
import { usePageTitle } from '../lib/page-title';

export function NotFoundPage({ what = 'page' }: { what?: 'page' | 'tenant' | 'conversation' }) {
  usePageTitle('Not found');
  return (
    <div className="py-10">
      <EmptyState
        level={1}
        title={what === 'tenant' ? 'Tenant not found' : what === 'conversation' ? 'Conversation not found' : 'Page not found'}
        action={
          <ButtonLink to="/" variant="primary">
            Go to the dashboard
          </ButtonLink>
        }
      >
        {what === 'tenant'
          ? 'It does not exist, or you are not a member of it.'
          : what === 'conversation'
            ? 'It may have been deleted.'
            : 'There is nothing at this address.'}
      </EmptyState>
    </div>
  );
}
