import { checkBadInputs } from "./bad-inputs";

checkBadInputs("accesses");
