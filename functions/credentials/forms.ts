import { fieldErrors } from '#core/request';
import * as z from '#core/zod';
import type { LoginDetails } from '#credentials/credential';

/*
 * The forms of the credential page, validated at the boundary (HTTP 400 with a message per field).
 * A password is checked for presence and length only: the platform sets its own rules, and no
 * message here ever repeats what was typed.
 */

const password = z.string().check(z.minLength(8, 'enter the password (at least 8 characters)'), z.maxLength(256, 'a password is at most 256 characters'));
const reason = z
  .string()
  .check(z.trim(), z.minLength(10, 'say why you need to see the login (at least 10 characters); it is recorded and the admins are told'), z.maxLength(500));

const loginSchema = z
  .object({
    username: z.string().check(z.trim(), z.minLength(1, 'enter the username or email address the account signs in with'), z.maxLength(200)),
    password,
    passwordAgain: z.string(),
    recoveryContact: z.string().check(z.trim(), z.minLength(3, 'enter the recovery email address or phone number set on the platform'), z.maxLength(200)),
    twoFactor: z.enum(['yes', 'no'], 'say whether two-factor sign-in is on'),
    twoFactorHolder: z.optional(z.string().check(z.trim(), z.maxLength(200))),
  })
  .check(
    z.refine((f) => f.password === f.passwordAgain, { message: 'the two passwords do not match', path: ['passwordAgain'] }),
    z.refine((f) => f.twoFactor === 'no' || Boolean(f.twoFactorHolder), {
      message: 'name who holds the second factor (a person, a shared phone or mailbox)',
      path: ['twoFactorHolder'],
    }),
  );

export type ParsedLogin = { ok: true; login: LoginDetails; password: string } | { ok: false; errors: Record<string, string> };

/** The first login (or a whole new one): username, password twice, recovery contact, two-factor and its holder. */
export function parseLoginForm(raw: Record<string, unknown>): ParsedLogin {
  const parsed = loginSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const f = parsed.data;
  return {
    ok: true,
    password: f.password,
    login: {
      username: f.username,
      recoveryContact: f.recoveryContact,
      twoFactor: f.twoFactor === 'yes',
      ...(f.twoFactor === 'yes' ? { twoFactorHolder: f.twoFactorHolder } : {}),
    },
  };
}

const changeSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('generate') }),
  z
    .object({ mode: z.literal('own'), password, passwordAgain: z.string() })
    .check(z.refine((f) => f.password === f.passwordAgain, { message: 'the two passwords do not match', path: ['passwordAgain'] })),
]);

export type ParsedChange = { ok: true; mode: 'generate' } | { ok: true; mode: 'own'; password: string } | { ok: false; errors: Record<string, string> };

/** A password change: generated here (then revealed to the admin), or one the admin already set on the platform. */
export function parseChangeForm(raw: Record<string, unknown>): ParsedChange {
  if (raw.mode !== 'generate' && raw.mode !== 'own')
    return { ok: false, errors: { mode: 'choose: generate a new password, or record one you set on the platform' } };
  const parsed = changeSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  return parsed.data.mode === 'own' ? { ok: true, mode: 'own', password: parsed.data.password } : { ok: true, mode: 'generate' };
}

export function parseViewReason(raw: Record<string, unknown>): { ok: true; reason: string } | { ok: false; errors: Record<string, string> } {
  const parsed = reason.safeParse(typeof raw.reason === 'string' ? raw.reason : '');
  return parsed.success ? { ok: true, reason: parsed.data } : { ok: false, errors: { reason: parsed.error.issues[0]?.message ?? 'say why' } };
}

const adminChangeSchema = z.object({ change: z.enum(['ADDED', 'REMOVED'], 'say whether someone was added or removed as an admin on the platform') });

/** Which way an admin changed; the person is the people picker's field (core/people-picker.ts). */
export function parseAdminChange(raw: Record<string, unknown>): { ok: true; change: 'ADDED' | 'REMOVED' } | { ok: false; errors: Record<string, string> } {
  const parsed = adminChangeSchema.safeParse(raw);
  return parsed.success ? { ok: true, change: parsed.data.change } : { ok: false, errors: fieldErrors(parsed.error) };
}
