import { Type, type Static } from '../schema.js';

/**
 * An email address, as the WHATWG HTML spec's `input type=email` accepts it: a dot-atom local
 * part, `@`, and a host name. No display names, comments, quoted local parts or internationalized
 * addresses. The schema is the only check, so it also keeps CR/LF (header injection) and `,`
 * (a second address smuggled into one field) out. Our Ajv has no `format` vocabulary, hence a
 * pattern.
 */
export const addressPattern = "^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$";
/** RFC 5321's limit on a forward path. */
export const maxAddressLength = 254;
/** Most recipients one message may have, to, cc and bcc together. */
export const maxRecipients = 50;
/** Longest text or html body, in characters (the bridge's 1 MiB bounds the whole call anyway). */
export const maxBodyLength = 256 * 1024;
/** Longest subject, in characters (RFC 5322's line limit). */
export const maxSubjectLength = 998;

const Address = Type.String({ maxLength: maxAddressLength, pattern: addressPattern, description: 'an email address, local@domain' });

/**
 * One address or a list of them. Written as one schema with `type: [string, array]` rather than
 * an `anyOf`, so that Ajv reports the actual fault (`field to.1 must match pattern …`) instead of
 * the first branch's (`must be string`) for a list with one bad entry.
 */
const Recipients = Type.Unsafe<string | string[]>({
  type: ['string', 'array'],
  maxLength: maxAddressLength,
  pattern: addressPattern,
  items: { type: 'string', maxLength: maxAddressLength, pattern: addressPattern },
  minItems: 1,
  maxItems: maxRecipients,
  description: 'an email address or a non-empty list of them',
});

export const EmailSendInput = Type.Object(
  {
    to: Recipients,
    cc: Type.Optional(Recipients),
    bcc: Type.Optional(Recipients),
    // No CR or LF: a subject is one header line.
    subject: Type.String({ maxLength: maxSubjectLength, pattern: '^[^\\r\\n]*$' }),
    text: Type.Optional(Type.String({ maxLength: maxBodyLength, description: 'plain-text body; give text, html or both' })),
    html: Type.Optional(Type.String({ maxLength: maxBodyLength, description: 'HTML body; give text, html or both' })),
    replyTo: Type.Optional(Address),
    from: Type.Optional(Type.String({ maxLength: maxAddressLength, pattern: addressPattern, description: 'the sender; default: the configured one (ALICE_MAIL_FROM)' })),
  },
  { additionalProperties: false },
);
export type EmailSendArgs = Static<typeof EmailSendInput>;

export const EmailSendOutput = Type.Object({
  messageId: Type.String({ description: 'the Message-ID header, derived from the step: the same on every resend' }),
  status: Type.Union([Type.Literal('sent'), Type.Literal('held')], { description: 'held: no transport is configured, the message stays in the outbox' }),
  accepted: Type.Array(Type.String(), { description: 'recipients the SMTP server accepted' }),
  rejected: Type.Array(Type.String(), { description: 'recipients it refused (the others still got the message)' }),
});
export type EmailSendResult = Static<typeof EmailSendOutput>;
