/** Password complexity rules (PASSWORD_MIN_LENGTH, PASSWORD_MIN_CHAR_CATEGORIES). */
import type { Config } from "../config";
import { errors } from "../errors";

const CATEGORIES = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/];

export function assertPasswordComplexity(config: Config, password: string): void {
  const { minLength, minCharCategories } = config.password;
  const problems: string[] = [];
  if (password.length < minLength) {
    problems.push(`Password is ${password.length} characters long, but at least ${minLength} are required`);
  }
  const categories = CATEGORIES.filter((re) => re.test(password)).length;
  if (categories < minCharCategories) {
    problems.push(
      `Password contains characters from ${categories} categories (lowercase, uppercase, digits, others), but at least ${minCharCategories} are required`,
    );
  }
  if (problems.length) {
    throw errors.invalidParametersFormat(
      `The new password does not follow complexity rules: ${problems.join("; ")}`,
      problems,
    );
  }
}
