/**
 * Problems specific to contacts.csv. They belong with DATA_ERRORS in messages.ts, which is being
 * restructured right now; move them there once it settles.
 */
export const CONTACT_ERRORS = {
  notFound: (where: string) => `не найдено: ${where}`,
  badPhone: (value: string) => `«${value}» — не похоже на номер телефона: нужно 10–15 цифр (можно с «+», пробелами, скобками и дефисами)`,
  badEmail: (value: string) => `«${value}» — не похоже на адрес электронной почты`,
  unknownCustomer: (id: number) => `клиента ${id} нет в данных — строка пропущена`,
  duplicateFile: (other: string) => `контакты переданы дважды (ещё ${other}) — оставьте один файл`,
} as const;
