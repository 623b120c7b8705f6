import { checkBadInputs, groupsCoverEveryRoute } from "./bad-inputs";

groupsCoverEveryRoute();
checkBadInputs("register and account");
