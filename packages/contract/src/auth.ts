import { z } from "zod";
import { text, Timestamp } from "./common.js";
import { TimeZone } from "./dates.js";

/** An email address, trimmed and lower-cased before it is stored or compared. */
export const Email = text()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ error: "must be an email address" }))
  .meta({
    format: "email",
    description: "Trimmed and lower-cased; at most 254 characters.",
    example: "ada@example.com",
  });

/** A password: 8–128 characters (OWASP ASVS 2.1.1/2.1.2); never trimmed. */
export const Password = text()
  .min(8, "must be at least 8 characters")
  .max(128, "must be at most 128 characters")
  .meta({
    description: "8–128 characters, kept exactly as typed.",
    example: "correct horse battery staple",
  });

/** The public view of a user. */
export const User = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string().nullable(),
    timeZone: z.string().meta({
      description:
        'Your IANA time zone (`UTC` unless set): "today", overdue and recurrence follow it.',
    }),
    createdAt: Timestamp,
  })
  .meta({
    id: "User",
    description: "The public view of a user.",
    example: {
      id: "0b6f3a52-8d1e-4d3b-9a57-2f1c0e4b7a90",
      email: "ada@example.com",
      name: "Ada",
      timeZone: "Europe/London",
      createdAt: "2026-11-21T10:00:00.000Z",
    },
  });
export type User = z.infer<typeof User>;

/** `POST /auth/signup` body. */
export const SignupRequest = z
  .strictObject({
    email: Email,
    password: Password,
    name: text()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: "A display name, 1–100 characters." }),
    timeZone: TimeZone.optional().meta({
      description: "Your IANA time zone (default `UTC`); a client sends the device's zone.",
    }),
  })
  .meta({
    id: "SignupRequest",
    description: "Create an account. The response logs you in.",
    example: {
      email: "ada@example.com",
      password: "correct horse battery staple",
      name: "Ada",
      timeZone: "Europe/London",
    },
  });
export type SignupRequest = z.infer<typeof SignupRequest>;

/** `POST /auth/login` body. The password is only length-checked so a long one gets the same 401. */
export const LoginRequest = z
  .strictObject({
    email: Email,
    password: text().min(1).max(1024),
  })
  .meta({
    id: "LoginRequest",
    description: "Log in with email and password.",
    example: { email: "ada@example.com", password: "correct horse battery staple" },
  });
export type LoginRequest = z.infer<typeof LoginRequest>;

/** `POST /auth/refresh` and `POST /auth/logout` body. */
export const RefreshRequest = z
  .strictObject({
    refreshToken: text()
      .min(1)
      .max(512)
      .meta({ description: "The `refreshToken` of the latest signup, login or refresh." }),
  })
  .meta({
    id: "RefreshRequest",
    description: "A refresh token: rotated by `/auth/refresh`, revoked by `/auth/logout`.",
    example: { refreshToken: "rt_3q2Vb8yJd0hLkzX4mN7pQw" },
  });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

/** A logged-in session: a short-lived JWT access token and an opaque refresh token (RFC 6749 §5.1). */
export const AuthSession = z
  .object({
    user: User,
    accessToken: z
      .string()
      .meta({ description: "A JWT; send it as `Authorization: Bearer <accessToken>`." }),
    refreshToken: z.string().meta({
      description: "Opaque and single-use: exchange it at `/auth/refresh` for a new pair.",
    }),
    tokenType: z.literal("Bearer"),
    /** Lifetime of the access token in seconds. */
    expiresIn: z
      .number()
      .int()
      .positive()
      .meta({ description: "Lifetime of the access token in seconds." }),
  })
  .meta({
    id: "AuthSession",
    description: "A logged-in session (RFC 6749 §5.1).",
    example: {
      user: {
        id: "0b6f3a52-8d1e-4d3b-9a57-2f1c0e4b7a90",
        email: "ada@example.com",
        name: "Ada",
        timeZone: "Europe/London",
        createdAt: "2026-11-21T10:00:00.000Z",
      },
      accessToken: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwYjZmM2E1MiJ9.c2lnbmF0dXJl",
      refreshToken: "rt_3q2Vb8yJd0hLkzX4mN7pQw",
      tokenType: "Bearer",
      expiresIn: 900,
    },
  });
export type AuthSession = z.infer<typeof AuthSession>;

/** `PATCH /users/me` body. */
export const UserUpdate = z
  .strictObject({
    name: text()
      .trim()
      .min(1)
      .max(100)
      .nullable()
      .optional()
      .meta({ description: "1–100 characters; `null` clears it." }),
    timeZone: TimeZone.optional(),
  })
  .meta({
    id: "UserUpdate",
    description: "Change your profile.",
    example: { name: "Ada Lovelace", timeZone: "America/New_York" },
  });
export type UserUpdate = z.infer<typeof UserUpdate>;

/** `POST /users/me/password` body. */
export const PasswordChange = z
  .strictObject({
    currentPassword: text().min(1).max(1024),
    newPassword: Password,
  })
  .meta({
    id: "PasswordChange",
    description: "Change your password; your other sessions are revoked.",
    example: {
      currentPassword: "correct horse battery staple",
      newPassword: "a much longer passphrase",
    },
  });
export type PasswordChange = z.infer<typeof PasswordChange>;
