/** One document of a KYC form: the part's name (its kind), declared type and bytes. */
export interface KycDocumentPart {
  kind: string;
  type: string;
  content: Buffer;
}

/**
 * A KYC submission as the dashboard sends it (POST /api/kyc): a multipart FormData of the text
 * fields (undefined ones left out) and one file part per document, named by its kind.
 */
export function kycForm(fields: Record<string, string | undefined>, documents: KycDocumentPart[]): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) form.append(name, value);
  for (const { kind, type, content } of documents) {
    form.append(kind, new Blob([new Uint8Array(content)], { type }), `${kind}.${type.split('/')[1]}`);
  }
  return form;
}
