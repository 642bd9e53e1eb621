// What the console lists comes from the engine's schema, never from a copy: the actions that apply
// to each resource type and the input validateAction needs for each (schemaNames()); the roles
// and API key scopes are its snapshot vocabulary (schemaNames().snapshotVocabulary).

/** The actions of `listing` (authorizer.schemaNames()) a user may do on `resourceType`, in listing order. */
export function actionsOn(listing, resourceType) {
  return listing.actions.filter((a) => a.resourceTypes.includes(resourceType) && a.principalTypes.includes('User'));
}

/** The fields of an action's input validateAction requires (an empty list for none or an unknown action). */
export function requiredInputs(listing, action) {
  return listing.actions.find((a) => a.name === action)?.requiredInputs ?? [];
}
