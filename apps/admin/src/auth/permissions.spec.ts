import { assignableRoles, can, canSomewhere, roleIn } from './permissions';

const T1 = 'tenant-1';
const T2 = 'tenant-2';
const member = { isPlatformOwner: false, memberships: [{ tenantId: T1, role: 'admin' as const }, { tenantId: T2, role: 'viewer' as const }] };
const platform = { isPlatformOwner: true, memberships: [] };

describe('permissions', () => {
  it('ranks roles the way the API does', () => {
    expect(can(member, T1, 'admin')).toBe(true);
    expect(can(member, T1, 'owner')).toBe(false);
    expect(can(member, T2, 'viewer')).toBe(true);
    expect(can(member, T2, 'agent')).toBe(false);
    expect(can(member, 'elsewhere', 'viewer')).toBe(false);
    expect(roleIn(member, undefined)).toBeNull();
  });

  it('lets platform owners do everything everywhere', () => {
    expect(roleIn(platform, 'any')).toBe('owner');
    expect(can(platform, 'any', 'owner')).toBe(true);
    expect(canSomewhere(platform, 'admin')).toBe(true);
  });

  it('offers the owner role only to owners', () => {
    expect(assignableRoles(member, T1)).toEqual(['admin', 'agent', 'viewer']);
    expect(assignableRoles(platform, T1)).toEqual(['owner', 'admin', 'agent', 'viewer']);
    expect(canSomewhere({ isPlatformOwner: false, memberships: [{ tenantId: T2, role: 'viewer' }] }, 'admin')).toBe(false);
  });
});
