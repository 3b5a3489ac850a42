import { useEffect } from 'react';

/** The browser tab (and what screen readers announce on navigation) names the page. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Babble Buddy admin`;
  }, [title]);
}
