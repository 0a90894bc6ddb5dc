/**
 * Quick look at a single uploaded file, so the bot can stage it by role and refuse a
 * spreadsheet or a picture at once instead of after all four files have arrived.
 * The full validation is still readDatasetFiles.
 */
import type { UploadInspector } from '../../core/ports.ts';
import { CONTACTS_FILE, isContactsFileName } from './contacts.ts';
import { SNIFF_BYTES, sniffEncoding } from './decode.ts';
import { ROLES, ROLE_FILE, roleOfFileName } from './schema.ts';

export const uploadInspector: UploadInspector = {
  fileNames: ROLES.map((r) => ROLE_FILE[r]),

  classify(fileName) {
    if (/\.zip$/i.test(fileName.trim())) return 'archive';
    // The optional fifth file: staged with the others, never waited for.
    if (isContactsFileName(fileName)) return CONTACTS_FILE;
    const role = roleOfFileName(fileName);
    return role ? ROLE_FILE[role] : null;
  },

  isBinary(bytes) {
    return sniffEncoding(bytes.subarray(0, SNIFF_BYTES), bytes.length <= SNIFF_BYTES).kind === 'binary';
  },
};
