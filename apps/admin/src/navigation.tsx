import type { TRole } from '@babble-buddy/shared';
import { BookOpen, Bot, Cpu, FlaskConical, KeyRound, LayoutDashboard, MessageCircle, MessagesSquare, ReceiptText, ScrollText, Building2, Users, type LucideIcon } from 'lucide-react';
import type { ReactElement } from 'react';
import { AgentsPage } from './pages/agents-page';
import { ConversationsPage } from './pages/conversations-page';
import { KeysPage } from './pages/keys-page';
import { KnowledgePage } from './pages/knowledge-page';
import { ModelPage } from './pages/model-page';
import { PlaygroundPage } from './pages/playground-page';
import { TeamPage } from './pages/team-page';
import { WidgetPage } from './pages/widget-page';

/**
 * A page of one tenant, at /t/:tenantId/<path>. The sidebar and the router are built from this list:
 * a new page (knowledge, widget settings, playground) is one more entry here.
 */
export interface TenantPage {
  path: string;
  label: string;
  icon: LucideIcon;
  /** Least role that sees the page at all (the page itself hides what the role may not change). */
  minRole: TRole;
  element: ReactElement;
}

export const TENANT_PAGES: TenantPage[] = [
  { path: 'conversations', label: 'Conversations', icon: MessagesSquare, minRole: 'viewer', element: <ConversationsPage /> },
  { path: 'agents', label: 'Agents & prompts', icon: Bot, minRole: 'viewer', element: <AgentsPage /> },
  { path: 'knowledge', label: 'Knowledge base', icon: BookOpen, minRole: 'viewer', element: <KnowledgePage /> },
  // Agents and up: a playground turn is stored as a conversation and spends the tenant's tokens (the API refuses viewers).
  { path: 'playground', label: 'Playground', icon: FlaskConical, minRole: 'agent', element: <PlaygroundPage /> },
  { path: 'model', label: 'Model settings', icon: Cpu, minRole: 'viewer', element: <ModelPage /> },
  { path: 'widget', label: 'Widget', icon: MessageCircle, minRole: 'viewer', element: <WidgetPage /> },
  { path: 'keys', label: 'API keys', icon: KeyRound, minRole: 'viewer', element: <KeysPage /> },
  { path: 'team', label: 'Team', icon: Users, minRole: 'viewer', element: <TeamPage /> },
];

/** Pages across tenants. `minRole` there means "in at least one tenant". */
export interface GlobalPage {
  to: string;
  label: string;
  icon: LucideIcon;
  minRole: TRole;
}

export const GLOBAL_PAGES: GlobalPage[] = [
  { to: '/', label: 'Dashboard', icon: LayoutDashboard, minRole: 'viewer' },
  { to: '/tenants', label: 'Tenants', icon: Building2, minRole: 'viewer' },
  { to: '/usage', label: 'Usage & cost', icon: ReceiptText, minRole: 'viewer' },
  { to: '/audit', label: 'Audit log', icon: ScrollText, minRole: 'admin' },
];
