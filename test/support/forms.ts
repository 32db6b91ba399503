/**
 * A valid New Social Media form from the demo directory (PRD, two PRD admins, every checklist item).
 * Free of vitest imports so the benchmark can use it too.
 */
export const validForm = {
  departmentCode: 'PRD',
  platformId: 'instagram',
  purpose: 'Share park events, closures and volunteer days with residents.',
  audience: 'Residents and park visitors',
  riskAssessment: 'Off-topic or abusive comments; moderated daily under rule K, escalation to the Communications Director.',
  proposedHandle: '@ABQParksEvents',
  adminIds: ['E102', 'E103'],
  checklist: ['cityName', 'cityLogo', 'linkToCabq', 'purposeNotice', 'commentGuidelines'],
};
