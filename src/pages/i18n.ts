/**
 * The pages' texts in English and French: one typed table, so a message
 * missing in one language is a type error. `{name}` placeholders are filled
 * by `format`.
 */

const en = {
  "title.signIn": "Sign in",
  "title.consent": "Give access",
  "title.register": "Create an account",
  "title.forgot": "Forgotten password",
  "title.reset": "New password",
  "title.mfa": "Verification code",
  "title.error": "Something is wrong",
  "title.done": "Done",

  "field.username": "Username",
  "field.password": "Password",
  "field.newPassword": "New password",
  "field.email": "Email",
  "field.invitationToken": "Invitation token",
  "field.mfaCode": "Code",

  "action.signIn": "Sign in",
  "action.register": "Create the account",
  "action.toRegister": "Create an account",
  "action.toForgot": "Forgotten password?",
  "action.toSignIn": "Back to sign in",
  "action.accept": "Accept",
  "action.refuse": "Refuse",
  "action.send": "Send me a link",
  "action.changePassword": "Change the password",
  "action.verify": "Verify",

  "signIn.intro": "{app} asks for access to your data on {service}. Sign in to see what it asks for.",
  "signIn.wrongCredentials": "Wrong username or password.",
  "signIn.throttled": "Too many failed attempts. Try again in {minutes} minute(s).",

  "mfa.intro": "Enter the code from your authentication app.",
  "mfa.failed": "This code is not valid.",

  "consent.asks": "{app} asks for access to your data:",
  "consent.verified": "Verified app",
  "consent.notVerified": "Not verified: this name is given by the app itself ({id}).",
  "consent.device": "On device: {device}",
  "consent.level.read": "read",
  "consent.level.contribute": "contribute (read, add, change and delete entries)",
  "consent.level.manage": "manage (contribute, and organise the streams within)",
  "consent.level.create-only": "create only (add entries, without reading any)",
  "consent.level.none": "no access",
  "consent.allData": "all your data",
  "consent.willBeCreated": "{name} (will be created)",
  "consent.feature.selfRevoke.forbidden": "The app cannot revoke its own access.",
  "consent.feature.selfRevoke.allowed": "The app may revoke its own access.",
  "consent.feature.selfAudit.forbidden": "The app cannot read the record of its own use.",
  "consent.feature.selfAudit.allowed": "The app may read the record of its own use.",
  "consent.feature.other": "Feature {feature}: {setting}",
  "consent.expires": "This access ends after {duration}.",
  "consent.noExpiry": "This access does not end by itself; you can revoke it at any time.",
  "consent.alreadyGranted": "You already gave this app exactly this access: accepting lets it use it again.",
  "consent.willReplace": "This app already has a different access. Accepting replaces it: its former key stops working.",
  "consent.returnTo": "You will then go back to {origin}.",

  "duration.days": "{n} day(s)",
  "duration.hours": "{n} hour(s)",
  "duration.minutes": "{n} minute(s)",

  "done.accepted": "Access given. You may close this window.",
  "done.refused": "Access refused. You may close this window.",

  "register.intro": "Create an account on {service}.",
  "register.closed": "Account creation is closed on this service.",
  "register.created": "Your account is created. You can sign in.",
  "register.failed": "The account could not be created: {reason}",
  "register.taken": "This username or email address is already in use.",

  "forgot.intro": "Enter your username: a link to choose a new password will be sent to your email address.",
  "forgot.sent": "If this account exists, a message with a link to choose a new password was sent to its email address.",

  "reset.intro": "Choose a new password for the account",
  "reset.needsScript": "This page needs JavaScript to read the link you received. Enable it, or open the link again.",
  "reset.noLink": "Open this page from the link in the message you received.",
  "reset.done": "Your password is changed. You can sign in with it.",
  "reset.failed": "The password could not be changed: the link is invalid or has expired.",

  "error.unknownRequest": "This sign-in link is unknown or has expired. Go back to the app and try again.",
  "error.settledRequest": "This request was already answered. You may close this window.",
  "error.csrf": "This form has expired or did not come from this page. Go back and try again.",
  "error.session": "Your sign-in has expired. Sign in again.",
  "error.generic": "Something went wrong: {reason}",
  "error.unexpected": "Something went wrong on our side. Try again later.",
  "error.notFound": "There is no such page.",
} as const;

export type MessageKey = keyof typeof en;
type Messages = Record<MessageKey, string>;

const fr: Messages = {
  "title.signIn": "Connexion",
  "title.consent": "Donner l’accès",
  "title.register": "Créer un compte",
  "title.forgot": "Mot de passe oublié",
  "title.reset": "Nouveau mot de passe",
  "title.mfa": "Code de vérification",
  "title.error": "Un problème est survenu",
  "title.done": "Terminé",

  "field.username": "Nom d’utilisateur",
  "field.password": "Mot de passe",
  "field.newPassword": "Nouveau mot de passe",
  "field.email": "Adresse e-mail",
  "field.invitationToken": "Code d’invitation",
  "field.mfaCode": "Code",

  "action.signIn": "Se connecter",
  "action.register": "Créer le compte",
  "action.toRegister": "Créer un compte",
  "action.toForgot": "Mot de passe oublié ?",
  "action.toSignIn": "Retour à la connexion",
  "action.accept": "Accepter",
  "action.refuse": "Refuser",
  "action.send": "M’envoyer un lien",
  "action.changePassword": "Changer le mot de passe",
  "action.verify": "Vérifier",

  "signIn.intro": "{app} demande l’accès à vos données sur {service}. Connectez-vous pour voir ce qu’elle demande.",
  "signIn.wrongCredentials": "Nom d’utilisateur ou mot de passe incorrect.",
  "signIn.throttled": "Trop d’essais manqués. Réessayez dans {minutes} minute(s).",

  "mfa.intro": "Saisissez le code de votre application d’authentification.",
  "mfa.failed": "Ce code n’est pas valable.",

  "consent.asks": "{app} demande l’accès à vos données :",
  "consent.verified": "Application vérifiée",
  "consent.notVerified": "Non vérifiée : ce nom est donné par l’application elle-même ({id}).",
  "consent.device": "Sur l’appareil : {device}",
  "consent.level.read": "lecture",
  "consent.level.contribute": "contribution (lire, ajouter, modifier et supprimer des entrées)",
  "consent.level.manage": "gestion (contribution, et organisation des flux qu’il contient)",
  "consent.level.create-only": "création seule (ajouter des entrées sans en lire aucune)",
  "consent.level.none": "aucun accès",
  "consent.allData": "toutes vos données",
  "consent.willBeCreated": "{name} (sera créé)",
  "consent.feature.selfRevoke.forbidden": "L’application ne peut pas révoquer son propre accès.",
  "consent.feature.selfRevoke.allowed": "L’application peut révoquer son propre accès.",
  "consent.feature.selfAudit.forbidden": "L’application ne peut pas lire le relevé de son utilisation.",
  "consent.feature.selfAudit.allowed": "L’application peut lire le relevé de son utilisation.",
  "consent.feature.other": "Fonction {feature} : {setting}",
  "consent.expires": "Cet accès prend fin après {duration}.",
  "consent.noExpiry": "Cet accès ne prend pas fin de lui-même ; vous pouvez le révoquer à tout moment.",
  "consent.alreadyGranted": "Vous avez déjà donné exactement cet accès à cette application : accepter lui permet de l’utiliser à nouveau.",
  "consent.willReplace":
    "Cette application a déjà un autre accès. Accepter le remplace : son ancienne clé ne fonctionnera plus.",
  "consent.returnTo": "Vous retournerez ensuite sur {origin}.",

  "duration.days": "{n} jour(s)",
  "duration.hours": "{n} heure(s)",
  "duration.minutes": "{n} minute(s)",

  "done.accepted": "Accès donné. Vous pouvez fermer cette fenêtre.",
  "done.refused": "Accès refusé. Vous pouvez fermer cette fenêtre.",

  "register.intro": "Créer un compte sur {service}.",
  "register.closed": "La création de comptes est fermée sur ce service.",
  "register.created": "Votre compte est créé. Vous pouvez vous connecter.",
  "register.failed": "Le compte n’a pas pu être créé : {reason}",
  "register.taken": "Ce nom d’utilisateur ou cette adresse e-mail est déjà utilisé.",

  "forgot.intro": "Saisissez votre nom d’utilisateur : un lien pour choisir un nouveau mot de passe sera envoyé à votre adresse e-mail.",
  "forgot.sent":
    "Si ce compte existe, un message avec un lien pour choisir un nouveau mot de passe a été envoyé à son adresse e-mail.",

  "reset.intro": "Choisissez un nouveau mot de passe pour le compte",
  "reset.needsScript": "Cette page a besoin de JavaScript pour lire le lien reçu. Activez-le, ou ouvrez à nouveau le lien.",
  "reset.noLink": "Ouvrez cette page depuis le lien du message reçu.",
  "reset.done": "Votre mot de passe est changé. Vous pouvez vous connecter avec.",
  "reset.failed": "Le mot de passe n’a pas pu être changé : le lien n’est pas valable ou a expiré.",

  "error.unknownRequest": "Ce lien de connexion est inconnu ou a expiré. Retournez dans l’application et réessayez.",
  "error.settledRequest": "Il a déjà été répondu à cette demande. Vous pouvez fermer cette fenêtre.",
  "error.csrf": "Ce formulaire a expiré ou ne vient pas de cette page. Revenez en arrière et réessayez.",
  "error.session": "Votre connexion a expiré. Connectez-vous à nouveau.",
  "error.generic": "Un problème est survenu : {reason}",
  "error.unexpected": "Un problème est survenu de notre côté. Réessayez plus tard.",
  "error.notFound": "Cette page n’existe pas.",
};

const TABLES = { en: en as Messages, fr } as const;
export type Language = keyof typeof TABLES;
export const LANGUAGES = Object.keys(TABLES) as Language[];

/** A supported language for a code such as `fr`, `fr-CH` or `FR`; null if none. */
export function supportedLanguage(code: string | null | undefined): Language | null {
  const base = (code ?? "").trim().toLowerCase().split(/[-_]/)[0] ?? "";
  return (LANGUAGES as string[]).includes(base) ? (base as Language) : null;
}

/** The first supported language of an `Accept-Language` header, by preference weight. */
export function languageFromAcceptHeader(header: string | null): Language | null {
  const ranked = (header ?? "")
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const language = supportedLanguage(tag);
    if (language) return language;
  }
  return null;
}

/** The first supported of the candidates (most preferred first), else English. */
export function pickLanguage(...candidates: (Language | null)[]): Language {
  return candidates.find((c): c is Language => c !== null) ?? "en";
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(language: Language): Translate {
  const table = TABLES[language];
  return (key, values = {}) => table[key].replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
}
