/** Messages of the admin org pages: en and ja must have the same keys (i18n.test.ts). */
export const adminOrgMessages = {
  en: {} as Record<string, string>,
  ja: {} as Record<string, string>,
};
