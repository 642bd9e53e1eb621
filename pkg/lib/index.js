// What every entry exports: the API of ./authorizer.js and the module's status. The entries
// differ only in how they instantiate the module (./module.js holds the one instance).
export {
  Authorizer,
  OrgwardenError,
  validatePolicies,
  splitOrganizations,
  defaultPolicySources,
  defaultSchema,
  newOrganization,
  membershipId,
} from './authorizer.js';
export { moduleStatus, inputLimits } from './module.js';
