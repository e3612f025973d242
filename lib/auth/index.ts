export { PERMISSIONS, ROLE_PERMISSIONS, ROLE_ORDER, roleCan, permissionsOf, isPermission, type TPermission } from './permissions';
export { hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from './password';
export {
  ZEmail,
  ZPassword,
  ZPersonName,
  insertUser,
  findUserById,
  listUserTenants,
  findMembershipRole,
  listAllUsers,
  type TUser,
  type TUserTenant,
  type TUserListItem,
} from './users';
export {
  ZSignUp,
  ZConfirmEmail,
  ZResendConfirmation,
  CONFIRMATION_TTL_HOURS,
  requestSignUp,
  previewConfirmation,
  confirmEmail,
  resendConfirmation,
} from './email-verification';
export { createTenantWithOwner } from './tenant-owner';
export { ZRole, ZChangeRole, listMembers, changeMemberRole, removeMember, type TMember, type TActor } from './members';
export {
  ZCreateInvitation,
  ZAcceptInvitation,
  INVITATION_TTL_DAYS,
  INVITATION_MAX_PASSWORD_ATTEMPTS,
  createInvitation,
  listInvitations,
  revokeInvitation,
  changeInvitationRole,
  previewInvitation,
  acceptInvitation,
  type TInvitation,
  type TInvitationPreview,
} from './invitations';
export {
  ZCreateApiKey,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  renameApiKey,
  authenticateApiKey,
  type TApiKey,
  type TKeyPrincipal,
} from './api-keys';
export {
  authOptions,
  authorizeCredentials,
  readSessionUser,
  SESSION_MAX_AGE_SECONDS,
  type TSessionUser,
} from './session';
export { createPlatformOperator, countPlatformOperators, type TOperatorOutcome } from './operators';
export { prunePasswordAttempts } from './password-attempts';
export { createHandoffToken, redeemHandoffToken, handoffUrl, tenantUrl } from './handoff';
