/** Messages of the admin users pages: en and ja must have the same keys (i18n.test.ts). */
export const adminUsersMessages = {
  en: {} as Record<string, string>,
  ja: {} as Record<string, string>,
};
